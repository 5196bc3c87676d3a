import type { StoredEvent } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { todoAggregate } from './todo-aggregate';
import {
  emptyTodoList,
  ownTodo,
  type TodoList,
  todoListProjection,
  todosOf,
} from './todo-list-projection';

let sequence = 0;
const event = (
  eventType: string,
  payload: unknown,
  aggregateType = 'Todo',
  aggregateId = 't1',
): StoredEvent => ({
  globalSequence: ++sequence,
  id: `e${sequence}`,
  aggregateType,
  aggregateId,
  aggregateSequence: sequence,
  eventType,
  // At the version the Todo aggregate declares (TodoCreated is at 3).
  eventVersion: todoAggregate.events[eventType as keyof typeof todoAggregate.events] ?? 1,
  payload,
  metadata: null,
  createdAt: 'T',
});

const fold = (events: readonly StoredEvent[]): TodoList =>
  events
    .filter((e) => todoListProjection.filter?.(e) ?? true)
    .reduce(todoListProjection.evolve, todoListProjection.initialState());

const created = (id: string, owner = 'alice') =>
  event('TodoCreated', { id, text: 'milk', priority: 'low', createdAt: 'T0', owner }, 'Todo', id);

describe('todo list projection', () => {
  it('lists a new todo as open', () => {
    sequence = 0;
    expect([...todosOf(fold([created('t1')]), 'alice').values()]).toEqual([
      {
        id: 't1',
        owner: 'alice',
        text: 'milk',
        priority: 'low',
        completed: false,
        createdAt: 'T0',
        completedAt: null,
        version: 1,
        updatedSequence: 1,
      },
    ]);
  });

  it('takes only Todo aggregates, whatever their events are called', () => {
    const elsewhere = event(
      'TodoCreated',
      { id: 'x', text: 'not a todo', priority: 'low', createdAt: 'T' },
      'Archive',
    );
    expect(todoListProjection.filter?.(elsewhere)).toBe(false);
    expect(todoListProjection.filter?.(created('t1'))).toBe(true);
  });

  it('ignores changes to a todo it does not list (deleted, or never created)', () => {
    const list = fold([
      created('t1'),
      event('TodoDeleted', { id: 't1' }),
      event('TodoRenamed', { id: 't1', text: 'ghost' }),
      event('TodoCompleted', { id: 'nobody', completedAt: 'T1' }),
    ]);
    expect(list.byOwner.size).toBe(0);
    expect(list.items.size).toBe(0);
  });

  it('keys the list by owner: each owner reads only their own todos, in their order', () => {
    sequence = 0;
    const list = fold([
      created('a1', 'alice'),
      created('b1', 'bob'),
      created('a2', 'alice'),
      event('TodoCompleted', { id: 'b1', completedAt: 'T1' }, 'Todo', 'b1'),
      event('TodoDeleted', { id: 'a1' }, 'Todo', 'a1'),
      event(
        'TodoRestored',
        {
          id: 'a1',
          owner: 'alice',
          text: 'milk',
          priority: 'low',
          createdAt: 'T0',
          completedAt: null,
        },
        'Todo',
        'a1',
      ),
    ]);
    expect([...todosOf(list, 'alice').keys()]).toEqual(['a2', 'a1']);
    expect([...todosOf(list, 'bob').values()].map((t) => [t.id, t.completed])).toEqual([
      ['b1', true],
    ]);
    expect(ownTodo(list, 'bob', 'a2')).toBeUndefined();
    expect(ownTodo(list, 'alice', 'a2')?.owner).toBe('alice');
    expect(todosOf(list, 'carol').size).toBe(0);
    // The snapshot round-trips both maps, each owner's order kept.
    const codec = todoListProjection.snapshot;
    const copy = codec?.deserialize(JSON.parse(JSON.stringify(codec.serialize(list))));
    expect(copy).toEqual(list);
    expect([...todosOf(copy ?? emptyTodoList(), 'alice').keys()]).toEqual(['a2', 'a1']);
  });
  it("puts a restored todo back where it was in its owner's list, not at the end", () => {
    const make = (id: string, at: string, owner = 'alice') =>
      event('TodoCreated', { id, text: id, priority: 'normal', createdAt: at, owner }, 'Todo', id);
    const back = (id: string, at: string) => [
      event('TodoDeleted', { id }, 'Todo', id),
      event(
        'TodoRestored',
        { id, owner: 'alice', text: id, priority: 'normal', createdAt: at, completedAt: null },
        'Todo',
        id,
      ),
    ];
    const ids = (list: TodoList) => [...todosOf(list, 'alice').keys()];
    const made = [make('a', 'T1'), make('b', 'T2'), make('x', 'T2b', 'bob'), make('c', 'T3')];
    expect(ids(fold([...made, ...back('b', 'T2')]))).toEqual(['a', 'b', 'c']);
    expect(ids(fold([...made, ...back('a', 'T1')]))).toEqual(['a', 'b', 'c']);
    expect(ids(fold([...made, ...back('c', 'T3')]))).toEqual(['a', 'b', 'c']);
    const restored = fold([...made, ...back('a', 'T1'), make('d', 'T4'), ...back('c', 'T3')]);
    expect(ids(restored)).toEqual(['a', 'b', 'c', 'd']);
    expect(ownTodo(restored, 'alice', 'c')).toMatchObject({ text: 'c', completed: false });
    // Another owner's list is neither walked nor changed by the restore.
    expect([...todosOf(restored, 'bob').keys()]).toEqual(['x']);
  });

  it('keeps a snapshot true while the list goes on changing in place, and a restored list too', () => {
    sequence = 0;
    const codec = todoListProjection.snapshot;
    if (!codec) throw new Error('the todo list is snapshotted');
    const list = fold([created('t1')]);
    const saved = codec.serialize(list);
    const frozen = structuredClone(saved);
    const apply = (state: TodoList, e: StoredEvent) => todoListProjection.evolve(state, e);
    apply(list, event('TodoRenamed', { id: 't1', text: 'oat milk' }, 'Todo', 't1'));
    apply(list, event('TodoCompleted', { id: 't1', completedAt: 'T9' }, 'Todo', 't1'));
    expect(ownTodo(list, 'alice', 't1')).toMatchObject({ text: 'oat milk', completed: true });
    // What was saved before those events still says what the list was then.
    expect(saved).toEqual(frozen);
    // A list restored from it changes without changing the saved copy (the time machine
    // restores one kept state many times).
    const restored = codec.deserialize(saved);
    apply(restored, event('TodoPriorityChanged', { id: 't1', priority: 'high' }, 'Todo', 't1'));
    expect(ownTodo(restored, 'alice', 't1')).toMatchObject({ priority: 'high', text: 'milk' });
    expect(saved).toEqual(frozen);
  });
});
