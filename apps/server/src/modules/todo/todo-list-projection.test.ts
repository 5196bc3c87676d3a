import type { StoredEvent } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { todoAggregate } from './todo-aggregate';
import { type TodoList, todoListProjection } from './todo-list-projection';

let sequence = 0;
const event = (eventType: string, payload: unknown, aggregateType = 'Todo'): StoredEvent => ({
  globalSequence: ++sequence,
  id: `e${sequence}`,
  aggregateType,
  aggregateId: 't1',
  aggregateSequence: sequence,
  eventType,
  // At the version the Todo aggregate declares (TodoCreated is at 2).
  eventVersion: todoAggregate.events[eventType as keyof typeof todoAggregate.events] ?? 1,
  payload,
  metadata: null,
  createdAt: 'T',
});

const fold = (events: readonly StoredEvent[]): TodoList =>
  events
    .filter((e) => todoListProjection.filter?.(e) ?? true)
    .reduce(todoListProjection.evolve, todoListProjection.initialState());

const created = (id: string) =>
  event('TodoCreated', { id, text: 'milk', priority: 'low', createdAt: 'T0' });

describe('todo list projection', () => {
  it('lists a new todo as open', () => {
    sequence = 0;
    expect([...fold([created('t1')]).values()]).toEqual([
      {
        id: 't1',
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
    expect(list.size).toBe(0);
  });
  it('puts a restored todo back where it was, not at the end', () => {
    const make = (id: string, at: string) =>
      event('TodoCreated', { id, text: id, priority: 'normal', createdAt: at });
    const back = (id: string, at: string) => [
      event('TodoDeleted', { id }),
      event('TodoRestored', { id, text: id, priority: 'normal', createdAt: at, completedAt: null }),
    ];
    const made = [make('a', 'T1'), make('b', 'T2'), make('c', 'T3')];
    expect([...fold([...made, ...back('b', 'T2')]).keys()]).toEqual(['a', 'b', 'c']);
    expect([...fold([...made, ...back('a', 'T1')]).keys()]).toEqual(['a', 'b', 'c']);
    expect([...fold([...made, ...back('c', 'T3')]).keys()]).toEqual(['a', 'b', 'c']);
    const restored = fold([...made, ...back('a', 'T1'), make('d', 'T4'), ...back('c', 'T3')]);
    expect([...restored.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(restored.get('c')).toMatchObject({ text: 'c', completed: false });
  });
});
