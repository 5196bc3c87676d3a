import { type TodoCommand, TodoId, TodoText, todoDecider } from '@ironstar/domain';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCommandHandler } from './command-handler';
import { type EventStore, type StoredEvent, storeUnavailable } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const clock = () => '2026-11-22T10:00:00.000Z';
const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();

describe('command handler (through the todo service)', () => {
  it('appends the decided events and publishes them', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const published: StoredEvent[] = [];
    bus.subscribe('events/Todo/', (e) => published.push(e));
    const todos = createTodoService({ store, bus, clock, newId });
    const created = (
      await todos.create(text('milk'), 'normal', { metadata: { correlationId: 'c1' } })
    )._unsafeUnwrap();
    const id = TodoId.parse(created.aggregateId)._unsafeUnwrap();
    const completed = (await todos.complete(id))._unsafeUnwrap();
    expect(completed).toMatchObject({ version: 2, sequence: 2 });
    expect(store.events.map((e) => e.eventType)).toEqual(['TodoCreated', 'TodoCompleted']);
    expect(store.events[0]?.metadata).toMatchObject({ correlationId: 'c1' });
    expect(store.events[0]?.eventVersion).toBe(2);
    expect(published).toEqual(store.events);
  });

  it('returns domain errors as Rejected and appends nothing', async () => {
    const store = createInMemoryEventStore();
    const todos = createTodoService({ store, bus: createInMemoryEventBus(), clock, newId });
    const missing = TodoId.parse(newId())._unsafeUnwrap();
    expect((await todos.complete(missing))._unsafeUnwrapErr()).toEqual({
      type: 'Rejected',
      error: { type: 'TodoNotFound', id: missing },
    });
    expect(store.events).toHaveLength(0);
  });

  it('retries a lost race on fresh state', async () => {
    const inner = createInMemoryEventStore();
    let raced = false;
    // A store where another writer sneaks in one rename before our first append.
    const store: EventStore = {
      ...inner,
      append(request) {
        if (!raced && request.events[0]?.type === 'TodoCompleted') {
          raced = true;
          void inner.append({
            ...request,
            events: [
              {
                id: 'sneaky',
                type: 'TodoRenamed',
                data: { id: request.aggregateId, text: 'oat milk' },
              },
            ],
          });
        }
        return inner.append(request);
      },
    };
    const todos = createTodoService({ store, bus: createInMemoryEventBus(), clock, newId });
    const created = (await todos.create(text('milk'), 'normal'))._unsafeUnwrap();
    const id = TodoId.parse(created.aggregateId)._unsafeUnwrap();
    const done = (await todos.complete(id))._unsafeUnwrap();
    expect(done.version).toBe(3);
    expect(inner.events.map((e) => e.eventType)).toEqual([
      'TodoCreated',
      'TodoRenamed',
      'TodoCompleted',
    ]);
  });

  it('gives up with Conflict after the bounded number of attempts', async () => {
    const inner = createInMemoryEventStore();
    const store: EventStore = {
      ...inner,
      append: (request) =>
        request.events[0]?.type === 'TodoCreated'
          ? inner.append(request)
          : inner
              .append({
                ...request,
                events: [
                  {
                    id: newId(),
                    type: 'TodoRenamed',
                    data: { id: request.aggregateId, text: 'x' },
                  },
                ],
              })
              .andThen(() => inner.append(request)),
    };
    const todos = createTodoService({
      store,
      bus: createInMemoryEventBus(),
      clock,
      newId,
      maxAttempts: 3,
    });
    const created = (await todos.create(text('milk'), 'normal'))._unsafeUnwrap();
    const result = await todos.complete(TodoId.parse(created.aggregateId)._unsafeUnwrap());
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'Conflict',
      attempts: 3,
      message: `Todo ${created.aggregateId} kept changing; gave up after 3 attempts`,
    });
  });

  it('reports the store being unavailable, and a failed publish does not fail a durable command', async () => {
    const inner = createInMemoryEventStore();
    const down: EventStore = { ...inner, append: () => errAsync(storeUnavailable('disk on fire')) };
    const bus = createInMemoryEventBus();
    const failing = createTodoService({ store: down, bus, clock, newId });
    expect((await failing.create(text('milk'), 'normal'))._unsafeUnwrapErr()).toMatchObject({
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
    const todos = createTodoService({
      store: inner,
      bus: brokenBus,
      clock,
      newId,
      onPublishError: (e) => errors.push(e),
    });
    expect((await todos.create(text('milk'), 'normal')).isOk()).toBe(true);
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
    const todos = createTodoService({ store, bus, clock, newId });
    expect((await todos.create(text('milk'), 'normal')).isOk()).toBe(true);
    expect(store.events).toHaveLength(1);
  });
});

/** A store where another writer appends a rename first whenever `sneaks` says so. */
const racingStore = (sneaks: () => boolean) => {
  const inner = createInMemoryEventStore();
  const store: EventStore = {
    ...inner,
    append: (request) =>
      request.events[0]?.type === 'TodoCreated' || !sneaks()
        ? inner.append(request)
        : inner
            .append({
              ...request,
              events: [
                { id: newId(), type: 'TodoRenamed', data: { id: request.aggregateId, text: 'x' } },
              ],
            })
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
      decider: todoDecider,
      aggregateType: 'Todo',
      newEventId: newId,
      maxAttempts: 6,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const id = TodoId.parse(newId())._unsafeUnwrap();
    const create: TodoCommand = {
      type: 'CreateTodo',
      data: { id, text: text('milk'), priority: 'normal', now: clock() },
    };
    (await handler.handle(id, create, { isNew: true }))._unsafeUnwrap();
    const result = await handler.handle(id, { type: 'CompleteTodo', data: { id, now: clock() } });
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
      createTodoService({ store, bus: createInMemoryEventBus(), clock, newId, maxAttempts: 2 });
    const a = make();
    const b = make();
    const id = TodoId.parse(
      (await a.create(text('milk'), 'normal'))._unsafeUnwrap().aggregateId,
    )._unsafeUnwrap();
    (await b.complete(id))._unsafeUnwrap();
    // A remembers it open, so reopening fails on its memory and is decided again on the
    // store's state; then one lost race still leaves A its second attempt.
    sneak = true;
    expect((await a.reopen(id))._unsafeUnwrap().version).toBe(4);
    expect(inner.events.map((e) => e.eventType)).toEqual([
      'TodoCreated',
      'TodoCompleted',
      'TodoRenamed',
      'TodoReopened',
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
      decider: todoDecider,
      aggregateType: 'Todo',
      newEventId: newId,
    });
    const id = TodoId.parse(newId())._unsafeUnwrap();
    const create: TodoCommand = {
      type: 'CreateTodo',
      data: { id, text: text('milk'), priority: 'normal', now: clock() },
    };
    (await handler.handle(id, create, { isNew: true }))._unsafeUnwrap();
    // A second handler (another process) has never seen it: it must not guess "empty".
    const other = createCommandHandler({
      store: counted,
      bus: createInMemoryEventBus(),
      decider: todoDecider,
      aggregateType: 'Todo',
      newEventId: newId,
    });
    expect((await other.handle(id, create))._unsafeUnwrapErr()).toMatchObject({
      type: 'Rejected',
      error: { type: 'TodoAlreadyExists' },
    });
    expect(appends).toBe(1);
  });
});
