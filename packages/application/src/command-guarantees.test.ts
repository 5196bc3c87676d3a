import { TodoId, TodoText, todoUpcasters } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';
import { withUpcasters } from './upcasting';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();
const setup = () => {
  const store = createInMemoryEventStore();
  const todos = createTodoService({
    store,
    bus: createInMemoryEventBus(),
    clock: () => 'T',
    newId,
  });
  return { store, todos };
};

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
