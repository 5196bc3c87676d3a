import { TodoId, TodoText, todoUpcasters } from '@ironstar/domain';
import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { type EventStore, type StoredEvent, storeUnavailable } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';
import { withUpcasters } from './upcasting';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();
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
  const todos = createTodoService({
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
  return { store, todos, calls, published };
};

const idOf = async (todos: ReturnType<typeof setup>['todos']) =>
  TodoId.parse(
    (await todos.create(text('x'), 'normal'))._unsafeUnwrap().aggregateId,
  )._unsafeUnwrap();

describe('idempotent commands', () => {
  it('answers a retried command with the first answer and appends nothing', async () => {
    const { store, todos } = setup();
    const key = { commandId: 'key-1', fingerprint: 'create:milk' };
    const first = (await todos.create(text('milk'), 'normal', key))._unsafeUnwrap();
    const again = (await todos.create(text('milk'), 'normal', key))._unsafeUnwrap();
    expect(again).toEqual({ ...first, events: [], replayed: true });
    expect(store.events).toHaveLength(1);
  });

  it('refuses a reused id with different content', async () => {
    const { store, todos } = setup();
    await todos.create(text('milk'), 'normal', { commandId: 'k', fingerprint: 'a' });
    const reused = await todos.create(text('bread'), 'normal', {
      commandId: 'k',
      fingerprint: 'b',
    });
    expect(reused._unsafeUnwrapErr()).toEqual({ type: 'IdempotencyMismatch', commandId: 'k' });
    expect(store.events).toHaveLength(1);
  });

  it('lets only one of two racing requests with the same key append', async () => {
    const { store, todos } = setup();
    const created = (await todos.create(text('x'), 'normal'))._unsafeUnwrap();
    const id = TodoId.parse(created.aggregateId)._unsafeUnwrap();
    const key = { commandId: 'race', fingerprint: 'complete' };
    const [a, b] = await Promise.all([todos.complete(id, key), todos.complete(id, key)]);
    expect(a._unsafeUnwrap().version).toBe(2);
    expect(b._unsafeUnwrap().version).toBe(2);
    expect([a._unsafeUnwrap().replayed, b._unsafeUnwrap().replayed].sort()).toEqual([false, true]);
    expect(store.events.map((e) => e.eventType)).toEqual(['TodoCreated', 'TodoCompleted']);
  });

  it('stamps command id, causation id and correlation id on every event', async () => {
    const { store, todos } = setup();
    await todos.create(text('x'), 'normal', {
      commandId: 'cmd-7',
      fingerprint: 'f',
      metadata: { correlationId: 'corr', requestId: 'req' },
    });
    await todos.create(text('y'), 'normal');
    expect(store.events[0]?.metadata).toEqual({
      correlationId: 'corr',
      requestId: 'req',
      commandId: 'cmd-7',
      causationId: 'cmd-7',
    });
    const generated = store.events[1]?.metadata;
    expect(generated?.commandId).toMatch(/^0{8}-/);
    expect(generated?.causationId).toBe(generated?.commandId);
  });
});

describe('idempotent commands: the edges', () => {
  it('looks nothing up for a command without a key', async () => {
    const { todos, calls } = setup();
    await idOf(todos);
    expect(calls.findCommand).toBe(0);
  });

  it('replays a retry that comes without a fingerprint, and records a missing one as empty', async () => {
    const { store, todos } = setup();
    const first = await todos.create(text('milk'), 'normal', { commandId: 'no-fp' });
    const again = await todos.create(text('milk'), 'normal', { commandId: 'no-fp' });
    expect(again._unsafeUnwrap()).toEqual({ ...first._unsafeUnwrap(), events: [], replayed: true });
    expect((await store.findCommand('no-fp'))._unsafeUnwrap()?.fingerprint).toBe('');
    await todos.create(text('bread'), 'normal', { commandId: 'fp', fingerprint: 'a' });
    expect(
      (await todos.create(text('bread'), 'normal', { commandId: 'fp' }))._unsafeUnwrap().replayed,
    ).toBe(true);
  });

  it('writes and publishes nothing for a command that changes nothing', async () => {
    const { todos, calls, published } = setup();
    const id = await idOf(todos);
    const before = { ...calls, published: published.length };
    expect((await todos.rename(id, text('x')))._unsafeUnwrap()).toEqual({
      aggregateId: id,
      events: [],
      sequence: 1,
      version: 1,
      replayed: false,
    });
    expect({ ...calls, published: published.length }).toEqual(before);
  });

  it('records a keyed command that changes nothing, so its retry is a replay', async () => {
    const { store, todos, published } = setup();
    const id = await idOf(todos);
    const key = { commandId: 'same-text', fingerprint: 'rename:x' };
    const first = (await todos.rename(id, text('x'), key))._unsafeUnwrap();
    expect(first).toEqual({
      aggregateId: id,
      events: [],
      sequence: 1,
      version: 1,
      replayed: false,
    });
    expect((await store.findCommand('same-text'))._unsafeUnwrap()).toMatchObject({ version: 1 });
    expect((await todos.rename(id, text('x'), key))._unsafeUnwrap().replayed).toBe(true);
    expect(published).toHaveLength(1); // the create only
  });

  it('answers with the recorded outcome when a racing request recorded the key after our look-up', async () => {
    // Every look-up here comes too early: the record is made after it, as by a racing request.
    const { store, todos } = setup((inner) => ({ ...inner, findCommand: () => okAsync(null) }));
    const id = await idOf(todos);
    const key = { commandId: 'raced', fingerprint: 'rename:y' };
    (await todos.rename(id, text('y'), key))._unsafeUnwrap();
    const late = await todos.rename(id, text('y'), key);
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
    const { store, todos } = setup((inner) => ({
      ...inner,
      findCommand: () => errAsync(storeUnavailable('down')),
    }));
    const result = await todos.create(text('x'), 'normal', { commandId: 'k', fingerprint: 'f' });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'StoreUnavailable', message: 'down' });
    expect(store.events).toHaveLength(0);
  });
});

describe('If-Match (expected version)', () => {
  it('fails with PreconditionFailed when the todo moved on, appending nothing', async () => {
    const { store, todos } = setup();
    const created = (await todos.create(text('x'), 'normal'))._unsafeUnwrap();
    const id = TodoId.parse(created.aggregateId)._unsafeUnwrap();
    expect(
      (await todos.rename(id, text('y'), { expectedVersion: 1 }))._unsafeUnwrap().version,
    ).toBe(2);
    const stale = await todos.rename(id, text('z'), { expectedVersion: 1 });
    expect(stale._unsafeUnwrapErr()).toEqual({
      type: 'PreconditionFailed',
      expected: 1,
      actual: 2,
    });
    expect(store.events).toHaveLength(2);
  });

  it('fails with PreconditionFailed when another writer gets in between the check and the append', async () => {
    let sneak = false;
    const { store, todos } = setup((inner) => ({
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
                type: 'TodoRenamed',
                data: { id: request.aggregateId, text: 'other' },
              },
            ],
          })
          .andThen(() => inner.append(request));
      },
    }));
    const id = await idOf(todos);
    sneak = true;
    const raced = await todos.rename(id, text('mine'), { expectedVersion: 1 });
    expect(raced._unsafeUnwrapErr()).toEqual({
      type: 'PreconditionFailed',
      expected: 1,
      actual: 2,
    });
    expect(store.events.map((e) => e.payload)).toMatchObject([{ text: 'x' }, { text: 'other' }]);
  });
});

describe('upcasting on load', () => {
  it('reads a version-1 TodoCreated as version 2 everywhere, leaving the stored row alone', async () => {
    const raw = createInMemoryEventStore();
    await raw.append({
      aggregateType: 'Todo',
      aggregateId: '00000000-0000-4000-8000-0000000000aa',
      expectedVersion: 'noStream',
      events: [
        {
          id: 'old',
          type: 'TodoCreated',
          version: 1,
          data: { id: '00000000-0000-4000-8000-0000000000aa', text: 'legacy', createdAt: 'T0' },
        },
      ],
    });
    const store = withUpcasters(raw, todoUpcasters);
    const [event] = (await store.readAll({ after: 0, limit: 10 }))._unsafeUnwrap();
    expect(event).toMatchObject({
      eventVersion: 2,
      payload: { text: 'legacy', priority: 'normal' },
    });
    expect(raw.events[0]).toMatchObject({ eventVersion: 1, payload: { text: 'legacy' } });
    expect(raw.events[0]?.payload).not.toHaveProperty('priority');
    // The aggregate loads through the same chain and accepts commands.
    const todos = createTodoService({
      store,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId,
    });
    const id = TodoId.parse('00000000-0000-4000-8000-0000000000aa')._unsafeUnwrap();
    expect((await todos.complete(id))._unsafeUnwrap().version).toBe(2);
  });
});
