import { TodoId, TodoText } from '@ironstar/domain';
import { errAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
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
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'Conflict', attempts: 3 });
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
});
