import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { type EventStore, type StoredEvent, storeUnavailable } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { cartUpcasters, createCartService } from './testing/shopping-cart';
import { withUpcasters } from './upcasting';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const setup = (wrap: (store: EventStore) => EventStore = (store) => store) => {
  const store = createInMemoryEventStore();
  const calls = { append: 0, findCommand: 0 };
  const counted: EventStore = {
    ...wrap(store),
    append: (request) => {
      calls.append++;
      return wrap(store).append(request);
    },
    findCommand: (id) => {
      calls.findCommand++;
      return wrap(store).findCommand(id);
    },
  };
  const bus = createInMemoryEventBus();
  const published: StoredEvent[][] = [];
  const carts = createCartService({
    store: counted,
    bus: {
      ...bus,
      publish: (events) => {
        published.push([...events]);
        return bus.publish(events);
      },
    },
    clock: () => 'T',
    newId,
  });
  return { store, carts, calls, published };
};

const idOf = async (carts: ReturnType<typeof setup>['carts']) =>
  (await carts.open('x'))._unsafeUnwrap().aggregateId;

describe('idempotent commands', () => {
  it('answers a retried command with the first answer and appends nothing', async () => {
    const { store, carts } = setup();
    const key = { commandId: 'key-1', fingerprint: 'create:milk' };
    const first = (await carts.open('milk', key))._unsafeUnwrap();
    const again = (await carts.open('milk', key))._unsafeUnwrap();
    expect(again).toEqual({ ...first, events: [], replayed: true });
    expect(store.events).toHaveLength(1);
  });

  it('refuses a reused id with different content', async () => {
    const { store, carts } = setup();
    await carts.open('milk', { commandId: 'k', fingerprint: 'a' });
    const reused = await carts.open('bread', {
      commandId: 'k',
      fingerprint: 'b',
    });
    expect(reused._unsafeUnwrapErr()).toEqual({ type: 'IdempotencyMismatch', commandId: 'k' });
    expect(store.events).toHaveLength(1);
  });

  it('lets only one of two racing requests with the same key append', async () => {
    const { store, carts } = setup();
    const id = (await carts.open('x'))._unsafeUnwrap().aggregateId;
    const key = { commandId: 'race', fingerprint: 'add' };
    const [a, b] = await Promise.all([carts.add(id, 'tea', key), carts.add(id, 'tea', key)]);
    expect(a._unsafeUnwrap().version).toBe(2);
    expect(b._unsafeUnwrap().version).toBe(2);
    expect([a._unsafeUnwrap().replayed, b._unsafeUnwrap().replayed].sort()).toEqual([false, true]);
    expect(store.events.map((e) => e.eventType)).toEqual(['CartOpened', 'ItemAdded']);
  });

  it('stamps command id, causation id and correlation id on every event', async () => {
    const { store, carts } = setup();
    await carts.open('x', {
      commandId: 'cmd-7',
      fingerprint: 'f',
      metadata: { correlationId: 'corr', requestId: 'req' },
    });
    await carts.open('y');
    expect(store.events[0]?.metadata).toEqual({
      correlationId: 'corr',
      requestId: 'req',
      commandId: 'cmd-7',
      causationId: 'cmd-7',
      actor: 'system',
    });
    const generated = store.events[1]?.metadata;
    expect(generated?.commandId).toMatch(/^0{8}-/);
    expect(generated?.causationId).toBe(generated?.commandId);
  });
});

describe('idempotent commands: the edges', () => {
  it('looks nothing up for a command without a key', async () => {
    const { carts, calls } = setup();
    await idOf(carts);
    expect(calls.findCommand).toBe(0);
  });

  it('replays a retry that comes without a fingerprint, and records a missing one as empty', async () => {
    const { store, carts } = setup();
    const first = await carts.open('milk', { commandId: 'no-fp' });
    const again = await carts.open('milk', { commandId: 'no-fp' });
    expect(again._unsafeUnwrap()).toEqual({ ...first._unsafeUnwrap(), events: [], replayed: true });
    expect((await store.findCommand('no-fp'))._unsafeUnwrap()?.fingerprint).toBe('');
    await carts.open('bread', { commandId: 'fp', fingerprint: 'a' });
    expect((await carts.open('bread', { commandId: 'fp' }))._unsafeUnwrap().replayed).toBe(true);
  });

  it('writes and publishes nothing for a command that changes nothing', async () => {
    const { carts, calls, published } = setup();
    const id = await idOf(carts);
    const before = { ...calls, published: published.length };
    expect((await carts.remove(id, 'nothing'))._unsafeUnwrap()).toEqual({
      aggregateId: id,
      events: [],
      sequence: 1,
      version: 1,
      replayed: false,
    });
    expect({ ...calls, published: published.length }).toEqual(before);
  });

  it('records a keyed command that changes nothing, so its retry is a replay', async () => {
    const { store, carts, published } = setup();
    const id = await idOf(carts);
    const key = { commandId: 'same-text', fingerprint: 'remove:nothing' };
    const first = (await carts.remove(id, 'nothing', key))._unsafeUnwrap();
    expect(first).toEqual({
      aggregateId: id,
      events: [],
      sequence: 1,
      version: 1,
      replayed: false,
    });
    expect((await store.findCommand('same-text'))._unsafeUnwrap()).toMatchObject({ version: 1 });
    expect((await carts.remove(id, 'nothing', key))._unsafeUnwrap().replayed).toBe(true);
    expect(published).toHaveLength(1); // the open only
  });

  it('answers with the recorded outcome when a racing request recorded the key after our look-up', async () => {
    // Every look-up here comes too early: the record is made after it, as by a racing request.
    const { store, carts } = setup((inner) => ({ ...inner, findCommand: () => okAsync(null) }));
    const id = await idOf(carts);
    const key = { commandId: 'raced', fingerprint: 'add:y' };
    (await carts.add(id, 'y', key))._unsafeUnwrap();
    const late = await carts.add(id, 'y', key);
    expect(late._unsafeUnwrap()).toEqual({
      aggregateId: id,
      events: [],
      sequence: 2,
      version: 2,
      replayed: true,
    });
    expect(store.events).toHaveLength(2);
  });

  it('answers StoreUnavailable when the key cannot be looked up, appending nothing', async () => {
    const { store, carts } = setup((inner) => ({
      ...inner,
      findCommand: () => errAsync(storeUnavailable('down')),
    }));
    const result = await carts.open('x', { commandId: 'k', fingerprint: 'f' });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'StoreUnavailable', message: 'down' });
    expect(store.events).toHaveLength(0);
  });
});

describe('If-Match (expected version)', () => {
  it('fails with PreconditionFailed when the aggregate moved on, appending nothing', async () => {
    const { store, carts } = setup();
    const id = (await carts.open('x'))._unsafeUnwrap().aggregateId;
    expect((await carts.add(id, 'y', { expectedVersion: 1 }))._unsafeUnwrap().version).toBe(2);
    const stale = await carts.add(id, 'z', { expectedVersion: 1 });
    expect(stale._unsafeUnwrapErr()).toEqual({
      type: 'PreconditionFailed',
      expected: 1,
      actual: 2,
    });
    expect(store.events).toHaveLength(2);
  });

  it('fails with PreconditionFailed when another writer gets in between the check and the append', async () => {
    let sneak = false;
    const { store, carts } = setup((inner) => ({
      ...inner,
      append: (request) => {
        if (!sneak) return inner.append(request);
        sneak = false;
        // Another process appends first, after this one checked the version.
        return inner
          .append({
            ...request,
            events: [
              {
                id: 'other',
                type: 'ItemAdded',
                version: 2,
                data: { id: request.aggregateId, item: 'other', quantity: 1 },
              },
            ],
          })
          .andThen(() => inner.append(request));
      },
    }));
    const id = await idOf(carts);
    sneak = true;
    const raced = await carts.add(id, 'mine', { expectedVersion: 1 });
    expect(raced._unsafeUnwrapErr()).toEqual({
      type: 'PreconditionFailed',
      expected: 1,
      actual: 2,
    });
    expect(store.events.map((e) => e.payload)).toMatchObject([{ owner: 'x' }, { item: 'other' }]);
  });
});

describe('idempotent commands, against a decider that has moved on', () => {
  it('replays a recorded command even when deciding it again would now be refused', async () => {
    const { store, carts } = setup();
    const id = await idOf(carts);
    const first = (await carts.add(id, 'tea', { commandId: 'k-add' }))._unsafeUnwrap();
    await carts.checkOut(id);
    // The cart is closed, so a fresh AddItem would be refused; the retry gets the first answer.
    const retry = (await carts.add(id, 'tea', { commandId: 'k-add' }))._unsafeUnwrap();
    expect(retry).toMatchObject({ replayed: true, version: first.version, events: [] });
    expect(store.events).toHaveLength(3);
  });

  it('answers PreconditionFailed at once when a racing writer wins, without reading again', async () => {
    let sneak = false;
    let reads = 0;
    const { carts } = setup((inner) => ({
      ...inner,
      readStream: (...args: Parameters<EventStore['readStream']>) => {
        reads++;
        return inner.readStream(...args);
      },
      append: (request) => {
        if (!sneak) return inner.append(request);
        sneak = false;
        const other = {
          id: 'other2',
          type: 'ItemAdded',
          version: 2,
          data: { id: request.aggregateId, item: 'o', quantity: 1 },
        };
        return inner.append({ ...request, events: [other] }).andThen(() => inner.append(request));
      },
    }));
    const id = await idOf(carts);
    sneak = true;
    reads = 0;
    const raced = await carts.add(id, 'mine', { expectedVersion: 1 });
    expect(raced._unsafeUnwrapErr()).toMatchObject({ type: 'PreconditionFailed', expected: 1 });
    expect(reads).toBe(1);
  });

  it('checks an expected version against the store, not against a memory another process outdated', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const mine = createCartService({ store, bus, clock: () => 'T', newId });
    const theirs = createCartService({ store, bus, clock: () => 'T', newId });
    const id = (await mine.open('x'))._unsafeUnwrap().aggregateId; // remembered at version 1
    await theirs.add(id, 'other'); // version 2, behind my memory's back
    const added = await mine.add(id, 'mine', { expectedVersion: 2 });
    expect(added._unsafeUnwrap().version).toBe(3);
  });
});

describe('upcasting on load', () => {
  it('reads a version-1 ItemAdded as version 2 everywhere, leaving the stored row alone', async () => {
    const raw = createInMemoryEventStore();
    const id = '00000000-0000-4000-8000-0000000000aa';
    await raw.append({
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      expectedVersion: 'noStream',
      events: [
        { id: 'opened', type: 'CartOpened', data: { id, owner: 'legacy', openedAt: 'T0' } },
        { id: 'old', type: 'ItemAdded', version: 1, data: { id, item: 'tea' } },
      ],
    });
    const store = withUpcasters(raw, cartUpcasters);
    const [, event] = (await store.readAll({ after: 0, limit: 10 }))._unsafeUnwrap();
    expect(event).toMatchObject({ eventVersion: 2, payload: { item: 'tea', quantity: 1 } });
    expect(raw.events[1]).toMatchObject({ eventVersion: 1, payload: { item: 'tea' } });
    expect(raw.events[1]?.payload).not.toHaveProperty('quantity');
    // The aggregate loads through the same chain and accepts commands: the item is there.
    const carts = createCartService({
      store,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId,
    });
    expect((await carts.checkOut(id))._unsafeUnwrap().version).toBe(3);
  });
});
