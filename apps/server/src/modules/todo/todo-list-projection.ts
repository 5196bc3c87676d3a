import { projectionOf, type StoredEvent } from '@ironstar/application';
import { assertNever } from '@ironstar/domain';
import { todoAggregate } from './todo-aggregate';
import type { TodoPriority } from './todo-priority';

export type TodoItem = {
  readonly id: string;
  /** The user it belongs to (and the only one who sees it). */
  readonly owner: string;
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

/** One owner's todos by id, in the order they (re)appeared; deleted ones are gone. */
export type OwnerTodos = Map<string, TodoItem>;

/**
 * The todo list keyed by owner, so a user's page reads that user's own todos and nothing of
 * anyone else's: its cost never grows with the other users' data. The runner owns these maps
 * and `evolve` updates them in place (O(1) per event, see Projection). An item is changed in
 * place too (a rename allocates nothing: a new item per event was ~9% of a million-event
 * rebuild, in garbage collection); `evolve` runs synchronously, so a reader sees an item between
 * events, never half-changed. What outlives an event (a snapshot, the time machine's kept
 * states) is therefore a copy: `serialize` and `deserialize` copy the items.
 */
export type TodoList = {
  readonly byOwner: Map<string, OwnerTodos>;
  /**
   * Every listed todo by id, the same objects as in `byOwner`: later events name only the
   * todo, and one lookup here finds (and, changed in place, updates) it for every view.
   */
  readonly items: Map<string, TodoItem>;
};

export const emptyTodoList = (): TodoList => ({ byOwner: new Map(), items: new Map() });

/** A user's todos (an empty map for a user who has none). */
export const todosOf = (list: TodoList, owner: string): ReadonlyMap<string, TodoItem> =>
  list.byOwner.get(owner) ?? NONE;
const NONE: ReadonlyMap<string, TodoItem> = new Map();

/** A todo, if it is this user's: anyone else's is not there (a 404, like a missing one). */
export const ownTodo = (list: TodoList, owner: string, id: string): TodoItem | undefined =>
  list.byOwner.get(owner)?.get(id);

const put = (list: TodoList, item: TodoItem) => {
  let todos = list.byOwner.get(item.owner);
  if (!todos) {
    todos = new Map();
    list.byOwner.set(item.owner, todos);
  }
  todos.set(item.id, item);
  list.items.set(item.id, item);
};

/** The projection's own view of an item: the one place its fields change. */
type ListedTodo = { -readonly [K in keyof TodoItem]: TodoItem[K] };

/** The item, marked as changed by `stored`, for the caller to set what the event changed. */
const changed = (item: TodoItem, stored: StoredEvent): ListedTodo => {
  const todo = item as ListedTodo;
  todo.version = stored.aggregateSequence;
  todo.updatedSequence = stored.globalSequence;
  return todo;
};

const remove = (list: TodoList, item: TodoItem) => {
  const todos = list.byOwner.get(item.owner);
  todos?.delete(item.id);
  if (todos?.size === 0) list.byOwner.delete(item.owner);
  list.items.delete(item.id);
};

export const todoListProjection = projectionOf(todoAggregate, {
  name: 'todo-list',
  initialState: emptyTodoList,
  snapshot: {
    // 2: keyed by owner (version 1 snapshots are discarded and the list rebuilt).
    version: 2,
    // Each owner's items in their order, one owner after another: enough to rebuild both maps.
    serialize: (list: TodoList) => {
      const items: TodoItem[] = [];
      for (const todos of list.byOwner.values()) {
        for (const item of todos.values()) items.push({ ...item });
      }
      return items;
    },
    deserialize: (data) => {
      const list = emptyTodoList();
      for (const item of data as readonly TodoItem[]) put(list, { ...item });
      return list;
    },
  },
  evolve(list: TodoList, event, stored) {
    if (event.type === 'TodoCreated' || event.type === 'TodoRestored') {
      const { id, owner, text, priority, createdAt } = event.data;
      const completedAt = event.type === 'TodoRestored' ? event.data.completedAt : null;
      // A restored todo goes back where it was: before the first of its owner's todos created
      // after it. The Map keeps insertion order, so those later todos are moved behind it; a
      // restore (an undo) is rare enough to pay for the walk of one owner's list.
      const later: TodoItem[] = [];
      if (event.type === 'TodoRestored') {
        const todos = list.byOwner.get(owner);
        for (const todo of todos?.values() ?? []) {
          if (later.length > 0 || todo.createdAt > createdAt) later.push(todo);
        }
        for (const todo of later) todos?.delete(todo.id);
      }
      put(list, {
        id,
        owner,
        text,
        priority,
        completed: completedAt !== null,
        createdAt,
        completedAt,
        version: stored.aggregateSequence,
        updatedSequence: stored.globalSequence,
      });
      for (const todo of later) put(list, todo);
      return list;
    }
    const item = list.items.get(event.data.id);
    if (!item) return list;
    switch (event.type) {
      case 'TodoRenamed':
        changed(item, stored).text = event.data.text;
        break;
      case 'TodoCompleted': {
        const todo = changed(item, stored);
        todo.completed = true;
        todo.completedAt = event.data.completedAt;
        break;
      }
      case 'TodoReopened': {
        const todo = changed(item, stored);
        todo.completed = false;
        todo.completedAt = null;
        break;
      }
      case 'TodoPriorityChanged':
        changed(item, stored).priority = event.data.priority;
        break;
      case 'TodoDeleted':
        remove(list, item);
        break;
      default:
        return assertNever(event);
    }
    return list;
  },
});
