import { mapProjectionOf } from '@ironstar/application';
import { assertNever } from '@ironstar/domain';
import { todoAggregate } from './todo-aggregate';
import type { TodoPriority } from './todo-priority';

export type TodoItem = {
  readonly id: string;
  readonly text: string;
  readonly priority: TodoPriority;
  readonly completed: boolean;
  readonly createdAt: string;
  readonly completedAt: string | null;
  /** Version of the todo's stream after its last event. */
  readonly version: number;
  /** Global sequence of the todo's last event. */
  readonly updatedSequence: number;
};

/**
 * Todos in creation order (a restored one back in its place); deleted ones are gone. The runner owns this map and `evolve`
 * updates it in place, so a replay costs O(1) per event rather than a copy per event; items
 * are replaced, never changed, so a copy of the values (the snapshot) stays true.
 */
export type TodoList = Map<string, TodoItem>;

export const todoListProjection = mapProjectionOf(todoAggregate, {
  name: 'todo-list',
  // 2: a restored todo goes back to its place (snapshots of 1 have it at the end).
  version: 2,
  evolve(todos: TodoList, event, stored) {
    const touch = (item: TodoItem, change: Partial<TodoItem>) =>
      todos.set(item.id, {
        ...item,
        ...change,
        version: stored.aggregateSequence,
        updatedSequence: stored.globalSequence,
      });
    if (event.type === 'TodoCreated') {
      todos.set(event.data.id, {
        id: event.data.id,
        text: event.data.text,
        priority: event.data.priority,
        completed: false,
        createdAt: event.data.createdAt,
        completedAt: null,
        version: stored.aggregateSequence,
        updatedSequence: stored.globalSequence,
      });
      return todos;
    }
    if (event.type === 'TodoRestored') {
      // Back where it was: before the first todo created after it. The Map keeps insertion
      // order, so those later todos are moved behind it; a restore (an undo) is rare enough
      // to pay for the walk.
      const { id, text, priority, createdAt, completedAt } = event.data;
      const later: TodoItem[] = [];
      for (const todo of todos.values()) {
        if (later.length > 0 || todo.createdAt > createdAt) later.push(todo);
      }
      for (const todo of later) todos.delete(todo.id);
      todos.set(id, {
        id,
        text,
        priority,
        completed: completedAt !== null,
        createdAt,
        completedAt,
        version: stored.aggregateSequence,
        updatedSequence: stored.globalSequence,
      });
      for (const todo of later) todos.set(todo.id, todo);
      return todos;
    }
    const item = todos.get(event.data.id);
    if (!item) return todos;
    switch (event.type) {
      case 'TodoRenamed':
        touch(item, { text: event.data.text });
        break;
      case 'TodoCompleted':
        touch(item, { completed: true, completedAt: event.data.completedAt });
        break;
      case 'TodoReopened':
        touch(item, { completed: false, completedAt: null });
        break;
      case 'TodoPriorityChanged':
        touch(item, { priority: event.data.priority });
        break;
      case 'TodoDeleted':
        todos.delete(item.id);
        break;
      default:
        return assertNever(event);
    }
    return todos;
  },
});
