import type { ProjectionListener, ProjectionRunner, StoredEvent } from '@ironstar/application';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTodoIndex, type TodoIndexChange } from './todo-index';
import { emptyTodoList, type TodoItem, type TodoList } from './todo-list-projection';

/** A projection runner driven by hand: the index only reads state, position and changes. */
const handRunner = () => {
  let state: TodoList = emptyTodoList();
  let position = 0;
  const listeners = new Set<ProjectionListener<TodoList>>();
  const deleted = new Map<string, TodoItem>();
  let replaying = false;
  const emit = (id: string, eventType = 'TodoChanged') => {
    position++;
    const event = { globalSequence: position, aggregateId: id, eventType } as StoredEvent;
    for (const listener of listeners) listener(state, event, replaying);
  };
  const item = (id: string, owner: string, completed = false): TodoItem => ({
    id,
    owner,
    text: id,
    priority: 'normal',
    completed,
    createdAt: `T${String(position + 1).padStart(6, '0')}`,
    completedAt: null,
    version: 1,
    updatedSequence: position + 1,
  });
  const put = (todo: TodoItem) => {
    const owned = state.byOwner.get(todo.owner) ?? new Map<string, TodoItem>();
    state.byOwner.set(todo.owner, owned.set(todo.id, todo));
    state.items.set(todo.id, todo);
  };
  const find = (id: string) => state.items.get(id);
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
    /** The changes that follow are the start's catch-up (the runner's `replaying`). */
    replaying(on: boolean) {
      replaying = on;
    },
    create(id: string, owner = 'local') {
      put(item(id, owner));
      emit(id);
    },
    setCompleted(id: string, completed: boolean) {
      const todo = find(id);
      if (todo) put({ ...todo, completed });
      emit(id);
    },
    remove(id: string) {
      const owner = state.items.get(id)?.owner ?? '';
      const todo = find(id);
      if (todo) deleted.set(id, todo);
      state.byOwner.get(owner)?.delete(id);
      if (state.byOwner.get(owner)?.size === 0) state.byOwner.delete(owner);
      state.items.delete(id);
      emit(id);
    },
    /** As the projection does: back before the first of its owner's todos created after it. */
    restore(id: string) {
      const todo = deleted.get(id);
      if (!todo) return;
      deleted.delete(id);
      const owned = state.byOwner.get(todo.owner);
      const later = [...(owned?.values() ?? [])].filter((t) => t.createdAt > todo.createdAt);
      for (const t of later) owned?.delete(t.id);
      put(todo);
      for (const t of later) put(t);
      emit(id, 'TodoRestored');
    },
    deletedIds: (owner: string) =>
      [...deleted.values()].filter((t) => t.owner === owner).map((t) => t.id),
    /** Like a snapshot restore: a new state object, no change event. */
    replace(ids: string[], owner = 'local') {
      state = emptyTodoList();
      for (const id of ids) put(item(id, owner));
    },
    ids: (owner = 'local') => [...(state.byOwner.get(owner)?.keys() ?? [])],
    todos: (owner = 'local') => [...(state.byOwner.get(owner)?.values() ?? [])],
  };
};

const OWNERS = ['alice', 'bob'] as const;

describe('the todo index', () => {
  it("agrees with a walk of each owner's list after any sequence of changes", () => {
    const owner = fc.constantFrom(0 as const, 1 as const);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.record({ op: fc.constant('create' as const), owner }) },
            {
              weight: 3,
              arbitrary: fc.record({
                op: fc.constantFrom(
                  'complete' as const,
                  'reopen' as const,
                  'delete' as const,
                  'restore' as const,
                ),
                owner,
                pick: fc.nat(),
              }),
            },
            {
              weight: 1,
              arbitrary: fc.record({
                op: fc.constant('bulkDelete' as const),
                owner,
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
          const indexes = createTodoIndex(hand.runner, { minCapacity: 2 });
          const changes: Array<[string | undefined, TodoIndexChange]> = [];
          indexes.onChange((who, change) => changes.push([who, change]));
          let counter = 0;
          for (const op of ops) {
            const who = OWNERS[op.owner];
            const ids = hand.ids(who);
            if (op.op === 'create') {
              hand.create(`t${counter++}`, who);
              expect(changes.at(-1)).toMatchObject([who, { kind: 'created' }]);
            } else if (op.op === 'bulkDelete') {
              // Enough deletions to force a compaction now and then.
              for (const [i, id] of ids.entries()) if (i % op.keepEvery !== 0) hand.remove(id);
            } else if (op.op === 'restore') {
              const gone = hand.deletedIds(who);
              const id = gone[op.pick % Math.max(1, gone.length)];
              if (id !== undefined) {
                hand.restore(id);
                const after = hand.ids(who);
                expect(changes.at(-1)).toEqual([
                  who,
                  {
                    kind: 'restored',
                    id,
                    sequence: hand.runner.position(),
                    newer: after.length - 1 - after.indexOf(id),
                  },
                ]);
              }
            } else if (ids.length > 0) {
              const id = ids[op.pick % ids.length] ?? '';
              const newer = ids.length - 1 - ids.indexOf(id);
              if (op.op === 'delete') hand.remove(id);
              else hand.setCompleted(id, op.op === 'complete');
              expect(changes.at(-1)).toEqual([
                who,
                {
                  kind: op.op === 'delete' ? 'deleted' : 'updated',
                  id,
                  sequence: hand.runner.position(),
                  newer,
                },
              ]);
            }
            for (const each of OWNERS) {
              const index = indexes.of(each);
              const now = hand.ids(each);
              expect(index.counts()).toEqual({
                total: now.length,
                completed: hand.todos(each).filter((t) => t.completed).length,
              });
              expect(index.newest(limit).map((t) => t.id)).toEqual(now.slice(-limit));
              expect(index.nthNewest(1)).toBe(now.at(-1));
              expect(index.nthNewest(limit)).toBe(now.length >= limit ? now.at(-limit) : undefined);
              expect(index.range(limit, limit).map((t) => t.id)).toEqual(
                now.slice(limit, 2 * limit),
              );
              // The other owner's todos are never in this one's view.
              for (const id of hand.ids(each === 'alice' ? 'bob' : 'alice')) {
                expect(index.get(id)).toBeUndefined();
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('grows past its first capacity and compacts after mass deletion', () => {
    const hand = handRunner();
    const index = createTodoIndex(hand.runner).of('local');
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
    const indexes = createTodoIndex(hand.runner);
    const index = indexes.of('local');
    const changes: Array<[string | undefined, TodoIndexChange]> = [];
    indexes.onChange((who, change) => changes.push([who, change]));
    hand.create('a');
    hand.replace(['x', 'y', 'z']);
    expect(index.newest(2).map((t) => t.id)).toEqual(['y', 'z']);
    hand.create('w');
    expect(index.newest(2).map((t) => t.id)).toEqual(['z', 'w']);
    // Replaced with no read between: the next change says to redraw every list.
    hand.replace(['p', 'q'], 'bob');
    hand.create('r', 'bob');
    expect(changes.at(-1)).toEqual([undefined, { kind: 'reset', sequence: 3 }]);
    expect(
      indexes
        .of('bob')
        .newest(5)
        .map((t) => t.id),
    ).toEqual(['p', 'q', 'r']);
    expect(index.newest(5)).toEqual([]);
  });

  it("skips the start's catch-up and builds once on first use, with the same answers", () => {
    const hand = handRunner();
    const indexes = createTodoIndex(hand.runner);
    const changes: Array<[string | undefined, TodoIndexChange]> = [];
    indexes.onChange((who, change) => changes.push([who, change]));
    hand.replaying(true);
    for (let i = 0; i < 6; i++) hand.create(`t${i}`, i % 2 === 0 ? 'alice' : 'bob');
    hand.remove('t2');
    hand.setCompleted('t4', true);
    hand.replaying(false);
    expect(changes).toEqual([]); // nothing followed, nothing told
    const alice = indexes.of('alice');
    expect(alice.counts()).toEqual({ total: 2, completed: 1 });
    expect(alice.newest(5).map((t) => t.id)).toEqual(['t0', 't4']);
    expect(
      indexes
        .of('bob')
        .newest(5)
        .map((t) => t.id),
    ).toEqual(['t1', 't3', 't5']);
    // Live again: followed change by change, from the index built at the first read.
    hand.create('t6', 'alice');
    expect(changes).toEqual([['alice', { kind: 'created', id: 't6', sequence: 9 }]]);
    expect(alice.newest(5).map((t) => t.id)).toEqual(['t0', 't4', 't6']);
  });

  it("says when each owner's list last changed, for a feed's resume", () => {
    const hand = handRunner();
    const indexes = createTodoIndex(hand.runner);
    hand.create('a1', 'alice'); // 1
    hand.create('b1', 'bob'); // 2
    hand.create('b2', 'bob'); // 3
    expect(indexes.of('alice').changedAt()).toBe(1);
    expect(indexes.of('bob').changedAt()).toBe(3);
    hand.remove('a1'); // 4: alice has no todo left, and that is a change too
    expect(indexes.of('alice').changedAt()).toBe(4);
    expect(indexes.of('alice').counts()).toEqual({ total: 0, completed: 0 });
    // Someone who never had a todo: unchanged since the index was built.
    expect(indexes.of('carol').changedAt()).toBe(0);
    expect(indexes.of('carol').newest(10)).toEqual([]);
  });
});
