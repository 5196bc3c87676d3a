import type { ProjectionListener, ProjectionRunner, StoredEvent } from '@ironstar/application';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTodoIndex, type TodoIndexChange } from './todo-index';
import type { TodoItem, TodoList } from './todo-list-projection';

/** A projection runner driven by hand: the index only reads state, position and changes. */
const handRunner = () => {
  let state: TodoList = new Map();
  let position = 0;
  const listeners = new Set<ProjectionListener<TodoList>>();
  const deleted = new Map<string, TodoItem>();
  const emit = (id: string, eventType = 'TodoChanged') => {
    position++;
    const event = { globalSequence: position, aggregateId: id, eventType } as StoredEvent;
    for (const listener of listeners) listener(state, event);
  };
  const item = (id: string, completed = false): TodoItem => ({
    id,
    text: id,
    priority: 'normal',
    completed,
    createdAt: `T${String(position + 1).padStart(6, '0')}`,
    completedAt: null,
    version: 1,
    updatedSequence: position + 1,
  });
  const runner: ProjectionRunner<TodoList> = {
    start: async () => {},
    state: () => state,
    position: () => position,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {},
  };
  return {
    runner,
    create(id: string) {
      state.set(id, item(id));
      emit(id);
    },
    setCompleted(id: string, completed: boolean) {
      const todo = state.get(id);
      if (todo) state.set(id, { ...todo, completed });
      emit(id);
    },
    remove(id: string) {
      const todo = state.get(id);
      if (todo) deleted.set(id, todo);
      state.delete(id);
      emit(id);
    },
    /** As the projection does: back before the first todo created after it. */
    restore(id: string) {
      const todo = deleted.get(id);
      if (!todo) return;
      deleted.delete(id);
      const later = [...state.values()].filter((t) => t.createdAt > todo.createdAt);
      for (const t of later) state.delete(t.id);
      state.set(id, todo);
      for (const t of later) state.set(t.id, t);
      emit(id, 'TodoRestored');
    },
    deletedIds: () => [...deleted.keys()],
    /** Like a snapshot restore: a new state object, no change event. */
    replace(ids: string[]) {
      state = new Map(ids.map((id) => [id, item(id)]));
    },
    ids: () => [...state.keys()],
  };
};

type Op =
  | { op: 'create' }
  | { op: 'complete' | 'reopen' | 'delete' | 'restore'; pick: number }
  | { op: 'bulkDelete'; keepEvery: number };

describe('the todo index', () => {
  it('agrees with a walk of the list after any sequence of changes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.constant<Op>({ op: 'create' }) },
            {
              weight: 3,
              arbitrary: fc.record({
                op: fc.constantFrom(
                  'complete' as const,
                  'reopen' as const,
                  'delete' as const,
                  'restore' as const,
                ),
                pick: fc.nat(),
              }),
            },
            {
              weight: 1,
              arbitrary: fc.record({
                op: fc.constant('bulkDelete' as const),
                keepEvery: fc.integer({ min: 2, max: 9 }),
              }),
            },
          ),
          { maxLength: 120 },
        ),
        fc.integer({ min: 1, max: 12 }),
        (ops, limit) => {
          const hand = handRunner();
          // A tiny tree: growth and compaction happen within a few operations.
          const index = createTodoIndex(hand.runner, { minCapacity: 2 });
          const changes: TodoIndexChange[] = [];
          index.onChange((change) => changes.push(change));
          let counter = 0;
          for (const op of ops) {
            const ids = hand.ids();
            if (op.op === 'create') {
              hand.create(`t${counter++}`);
              expect(changes.at(-1)).toMatchObject({ kind: 'created' });
            } else if (op.op === 'bulkDelete') {
              // Enough deletions to force a compaction now and then.
              for (const [i, id] of ids.entries()) if (i % op.keepEvery !== 0) hand.remove(id);
            } else if (op.op === 'restore') {
              const gone = hand.deletedIds();
              const id = gone[op.pick % Math.max(1, gone.length)];
              if (id !== undefined) {
                hand.restore(id);
                const after = hand.ids();
                expect(changes.at(-1)).toEqual({
                  kind: 'restored',
                  id,
                  sequence: hand.runner.position(),
                  newer: after.length - 1 - after.indexOf(id),
                });
              }
            } else if (ids.length > 0) {
              const id = ids[op.pick % ids.length] ?? '';
              const newer = ids.length - 1 - ids.indexOf(id);
              if (op.op === 'delete') hand.remove(id);
              else hand.setCompleted(id, op.op === 'complete');
              expect(changes.at(-1)).toEqual({
                kind: op.op === 'delete' ? 'deleted' : 'updated',
                id,
                sequence: hand.runner.position(),
                newer,
              });
            }
            const now = hand.ids();
            const state = hand.runner.state();
            expect(index.counts()).toEqual({
              total: now.length,
              completed: [...state.values()].filter((t) => t.completed).length,
            });
            expect(index.newest(limit).map((t) => t.id)).toEqual(now.slice(-limit));
            expect(index.nthNewest(1)).toBe(now.at(-1));
            expect(index.nthNewest(limit)).toBe(now.length >= limit ? now.at(-limit) : undefined);
            expect(index.range(limit, limit).map((t) => t.id)).toEqual(now.slice(limit, 2 * limit));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('grows past its first capacity and compacts after mass deletion', () => {
    const hand = handRunner();
    const index = createTodoIndex(hand.runner);
    for (let i = 0; i < 5000; i++) hand.create(`t${i}`);
    expect(index.newest(3).map((t) => t.id)).toEqual(['t4997', 't4998', 't4999']);
    for (let i = 0; i < 4990; i++) hand.remove(`t${i}`);
    expect(index.counts().total).toBe(10);
    expect(index.newest(20).map((t) => t.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${4990 + i}`),
    );
    expect(index.range(0, 2).map((t) => t.id)).toEqual(['t4990', 't4991']);
  });

  it('starts over when the projection replaces its state (a snapshot restore)', () => {
    const hand = handRunner();
    const index = createTodoIndex(hand.runner);
    const changes: TodoIndexChange[] = [];
    index.onChange((change) => changes.push(change));
    hand.create('a');
    hand.replace(['x', 'y', 'z']);
    expect(index.newest(2).map((t) => t.id)).toEqual(['y', 'z']);
    hand.create('w');
    expect(index.newest(2).map((t) => t.id)).toEqual(['z', 'w']);
  });
});
