import { errAsync, ResultAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAggregateService } from './aggregate-service';
import { createCommandHandler } from './command-handler';
import { type EventStore, type StoredEvent, storeUnavailable } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { type CartCommand, cartAggregate, createCartService } from './testing/shopping-cart';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const clock = () => '2026-11-22T10:00:00.000Z';
/** Another writer's event, appended behind the handler's back (at ItemAdded's version). */
const sneaky = (aggregateId: string, id = newId()) => ({
  id,
  type: 'ItemAdded',
  version: 2,
  data: { id: aggregateId, item: 'sneaked', quantity: 1 },
});

describe('command handler (through the shopping-cart fixture)', () => {
  it('appends the decided events and publishes them', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const published: StoredEvent[] = [];
    bus.subscribe('events/ShoppingCart/', (e) => published.push(e));
    const carts = createCartService({ store, bus, clock, newId });
    const opened = (await carts.open('ada', { metadata: { correlationId: 'c1' } }))._unsafeUnwrap();
    const added = (await carts.add(opened.aggregateId))._unsafeUnwrap();
    expect(added).toMatchObject({ version: 2, sequence: 2 });
    expect(store.events.map((e) => e.eventType)).toEqual(['CartOpened', 'ItemAdded']);
    expect(store.events[0]?.metadata).toMatchObject({ correlationId: 'c1' });
    expect(store.events[1]?.eventVersion).toBe(2);
    expect(published).toEqual(store.events);
  });

  it('records the actor of every event: the sender, or system when none is named', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const service = createAggregateService(cartAggregate, { store, bus, clock, newId });
    const actors: string[] = [];
    const opened = await service.send(
      {
        command: ({ aggregateId, now, actor }) => {
          actors.push(actor);
          return { type: 'OpenCart', data: { id: aggregateId, owner: actor, now } };
        },
      },
      { metadata: { actor: 'user-7' } },
    );
    const id = opened._unsafeUnwrap().aggregateId;
    const carts = createCartService({ store, bus, clock, newId });
    await carts.add(id);
    expect(actors).toEqual(['user-7']);
    expect(store.events.map((e) => e.metadata?.actor)).toEqual(['user-7', 'system']);
    expect(store.events[0]?.payload).toMatchObject({ owner: 'user-7' });
  });

  it('returns domain errors as Rejected and appends nothing', async () => {
    const store = createInMemoryEventStore();
    const carts = createCartService({ store, bus: createInMemoryEventBus(), clock, newId });
    const missing = newId();
    expect((await carts.add(missing))._unsafeUnwrapErr()).toEqual({
      type: 'Rejected',
      error: { type: 'CartNotFound', id: missing },
    });
    expect(store.events).toHaveLength(0);
  });

  it('retries a lost race on fresh state', async () => {
    const inner = createInMemoryEventStore();
    let raced = false;
    // A store where another writer sneaks in one item before our first check-out.
    const store: EventStore = {
      ...inner,
      append(request) {
        if (!raced && request.events[0]?.type === 'CartCheckedOut') {
          raced = true;
          void inner.append({ ...request, events: [sneaky(request.aggregateId, 'sneaky')] });
        }
        return inner.append(request);
      },
    };
    const carts = createCartService({ store, bus: createInMemoryEventBus(), clock, newId });
    const { aggregateId: id } = (await carts.open())._unsafeUnwrap();
    await carts.add(id);
    const done = (await carts.checkOut(id))._unsafeUnwrap();
    expect(done.version).toBe(4);
    expect(inner.events.map((e) => e.eventType)).toEqual([
      'CartOpened',
      'ItemAdded',
      'ItemAdded',
      'CartCheckedOut',
    ]);
  });

  it('gives up with Conflict after the bounded number of attempts', async () => {
    const inner = createInMemoryEventStore();
    const store: EventStore = {
      ...inner,
      append: (request) =>
        request.events[0]?.type === 'CartOpened'
          ? inner.append(request)
          : inner
              .append({ ...request, events: [sneaky(request.aggregateId)] })
              .andThen(() => inner.append(request)),
    };
    const carts = createCartService({
      store,
      bus: createInMemoryEventBus(),
      clock,
      newId,
      maxAttempts: 3,
    });
    const opened = (await carts.open())._unsafeUnwrap();
    const result = await carts.add(opened.aggregateId);
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'Conflict',
      attempts: 3,
      message: `ShoppingCart ${opened.aggregateId} kept changing; gave up after 3 attempts`,
    });
  });

  it('reports the store being unavailable, and a failed publish does not fail a durable command', async () => {
    const inner = createInMemoryEventStore();
    const down: EventStore = { ...inner, append: () => errAsync(storeUnavailable('disk on fire')) };
    const bus = createInMemoryEventBus();
    const failing = createCartService({ store: down, bus, clock, newId });
    expect((await failing.open())._unsafeUnwrapErr()).toMatchObject({
      type: 'StoreUnavailable',
      message: 'disk on fire',
    });
    const errors: unknown[] = [];
    const brokenBus = {
      ...bus,
      publish: async () => {
        throw new Error('bus down');
      },
    };
    const carts = createCartService({
      store: inner,
      bus: brokenBus,
      clock,
      newId,
      onPublishError: (e) => errors.push(e),
    });
    expect((await carts.open()).isOk()).toBe(true);
    expect(inner.events).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('does not fail a durable command when publishing fails and nobody listens for that', async () => {
    const store = createInMemoryEventStore();
    const bus = {
      ...createInMemoryEventBus(),
      publish: async () => {
        throw new Error('bus down');
      },
    };
    const carts = createCartService({ store, bus, clock, newId });
    expect((await carts.open()).isOk()).toBe(true);
    expect(store.events).toHaveLength(1);
  });
});

/** A store where another writer appends an item first whenever `sneaks` says so. */
const racingStore = (sneaks: () => boolean) => {
  const inner = createInMemoryEventStore();
  const store: EventStore = {
    ...inner,
    append: (request) =>
      request.events[0]?.type === 'CartOpened' || !sneaks()
        ? inner.append(request)
        : inner
            .append({ ...request, events: [sneaky(request.aggregateId)] })
            .andThen(() => inner.append(request)),
  };
  return { inner, store };
};

describe('command handler retries', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('waits a full-jitter backoff between attempts: random up to 10, 20, 40, 80, then 100 ms', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const waits: number[] = [];
    const { store } = racingStore(() => true);
    const handler = createCommandHandler({
      store,
      bus: createInMemoryEventBus(),
      aggregate: cartAggregate,
      newEventId: newId,
      maxAttempts: 6,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const id = newId();
    const open: CartCommand = { type: 'OpenCart', data: { id, owner: 'ada', now: clock() } };
    (await handler.handle(id, open, { isNew: true }))._unsafeUnwrap();
    const result = await handler.handle(id, {
      type: 'AddItem',
      data: { id, item: 'tea', quantity: 1 },
    });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Conflict', attempts: 6 });
    expect(waits).toEqual([5, 10, 20, 40, 50]);
  });

  it('does not count re-deciding on the store’s state as a lost race', async () => {
    let sneak = false;
    const { inner, store } = racingStore(() => {
      const now = sneak;
      sneak = false;
      return now;
    });
    const make = () =>
      createCartService({ store, bus: createInMemoryEventBus(), clock, newId, maxAttempts: 2 });
    const a = make();
    const b = make();
    const id = (await a.open())._unsafeUnwrap().aggregateId;
    (await b.add(id))._unsafeUnwrap();
    // A remembers the cart empty, so checking out fails on its memory and is decided again on
    // the store's state; then one lost race still leaves A its second attempt.
    sneak = true;
    expect((await a.checkOut(id))._unsafeUnwrap().version).toBe(4);
    expect(inner.events.map((e) => e.eventType)).toEqual([
      'CartOpened',
      'ItemAdded',
      'ItemAdded',
      'CartCheckedOut',
    ]);
  });

  it('reads the stream before deciding on an aggregate it was not told is new', async () => {
    const store = createInMemoryEventStore();
    let appends = 0;
    const counted: EventStore = {
      ...store,
      append: (request) => {
        appends++;
        return store.append(request);
      },
    };
    const handler = createCommandHandler({
      store: counted,
      bus: createInMemoryEventBus(),
      aggregate: cartAggregate,
      newEventId: newId,
    });
    const id = newId();
    const open: CartCommand = { type: 'OpenCart', data: { id, owner: 'ada', now: clock() } };
    (await handler.handle(id, open, { isNew: true }))._unsafeUnwrap();
    // A second handler (another process) has never seen it: it must not guess "empty".
    const other = createCommandHandler({
      store: counted,
      bus: createInMemoryEventBus(),
      aggregate: cartAggregate,
      newEventId: newId,
    });
    expect((await other.handle(id, open))._unsafeUnwrapErr()).toMatchObject({
      type: 'Rejected',
      error: { type: 'CartAlreadyOpen' },
    });
    expect(appends).toBe(1);
  });
});

describe('command handler turns', () => {
  it('queues a command behind every earlier one on its aggregate, however their turns end', async () => {
    const store = createInMemoryEventStore();
    // Appends wait until the test lets them through, one by one.
    const gates: Array<() => void> = [];
    const gated: EventStore = {
      ...store,
      append: (request) =>
        new ResultAsync(
          new Promise<void>((resolve) => {
            gates.push(resolve);
          }).then(() => store.append(request)),
        ),
    };
    const retries: number[] = [];
    const handler = createCommandHandler({
      store: gated,
      bus: createInMemoryEventBus(),
      aggregate: cartAggregate,
      newEventId: newId,
      sleep: async (ms) => {
        retries.push(ms);
      },
    });
    const id = newId();
    const add = (item: string): CartCommand => ({
      type: 'AddItem',
      data: { id, item, quantity: 1 },
    });
    const opening = handler.handle(
      id,
      { type: 'OpenCart', data: { id, owner: 'ada', now: clock() } },
      { isNew: true },
    );
    const first = handler.handle(id, add('a'));
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    gates[0]?.();
    await opening;
    // The first add is appending now; the opening's turn is over and must not unqueue it.
    await vi.waitFor(() => expect(gates).toHaveLength(2));
    const second = handler.handle(id, add('b'));
    gates[1]?.();
    await first;
    await vi.waitFor(() => expect(gates).toHaveLength(3));
    gates[2]?.();
    expect((await second)._unsafeUnwrap().version).toBe(3);
    expect(retries).toEqual([]);
  });
});
