import type { ProjectionRunner } from '@ironstar/application';
import type { TodoItem, TodoList } from './todo-list-projection';

/** What one event did to the list, with the changed todo's place counted from the newest. */
export type TodoIndexChange =
  | { readonly kind: 'created'; readonly id: string; readonly sequence: number }
  /** A deleted todo is back in its old place, `newer` todos before the newest end. */
  | {
      readonly kind: 'restored';
      readonly id: string;
      readonly sequence: number;
      readonly newer: number;
    }
  /** The list was replaced (a projection restored from its snapshot): redraw it whole. */
  | { readonly kind: 'reset'; readonly sequence: number }
  | {
      readonly kind: 'updated' | 'deleted';
      readonly id: string;
      readonly sequence: number;
      /** Todos created after this one (0 = the newest). */
      readonly newer: number;
    };

export type TodoCounts = { readonly total: number; readonly completed: number };

export type TodoIndex = {
  /** The projection position the index reflects. */
  position(): number;
  counts(): TodoCounts;
  get(id: string): TodoItem | undefined;
  /** The newest `limit` todos, in creation order (the page's order). */
  newest(limit: number): TodoItem[];
  /** The id of the k-th newest todo (1 = the newest). */
  nthNewest(k: number): string | undefined;
  /** The todos from `offset` (0 = the oldest) on, at most `limit`, in creation order. */
  range(offset: number, limit: number): TodoItem[];
  /** Called after each change, once the index reflects it; returns an unsubscribe. */
  onChange(listener: (change: TodoIndexChange) => void): () => void;
};

/**
 * A rank index over the todo list's creation order, so the page and its feed can show a
 * window of the newest todos and say what a change did to that window in O(log n), not by
 * walking a list that grows with the data. A Fenwick tree counts live todos per creation
 * slot; deleted slots are compacted away once they outnumber the live ones.
 */
export const createTodoIndex = (
  todoList: ProjectionRunner<TodoList>,
  /** Smallest tree, and the deleted slots always tolerated (small in tests to exercise both). */
  tuning: { readonly minCapacity?: number } = {},
): TodoIndex => {
  const minCapacity = tuning.minCapacity ?? 1024;
  let capacity = 0;
  let tree = new Int32Array(1);
  let slots: Array<string | undefined> = [];
  let next = 1;
  let alive = 0;
  let completed = 0;
  const entries = new Map<string, { slot: number; completed: boolean }>();
  let builtFrom: TodoList | undefined;
  const listeners = new Set<(change: TodoIndexChange) => void>();

  const add = (slot: number, delta: number) => {
    for (let i = slot; i <= capacity; i += i & -i) tree[i] = (tree[i] ?? 0) + delta;
  };
  const prefix = (slot: number) => {
    let sum = 0;
    for (let i = slot; i > 0; i -= i & -i) sum += tree[i] ?? 0;
    return sum;
  };
  /** The slot of the k-th live todo from the oldest (1-based). */
  const find = (k: number) => {
    let position = 0;
    let remaining = k;
    for (let step = capacity; step > 0; step >>= 1) {
      const probe = position + step;
      if (probe <= capacity && (tree[probe] ?? 0) < remaining) {
        position = probe;
        remaining -= tree[probe] ?? 0;
      }
    }
    return position + 1;
  };

  /** Slots 1..n in the list's own order, room to grow, the tree built in O(n). */
  const rebuild = () => {
    const state = todoList.state();
    builtFrom = state;
    capacity = minCapacity;
    while (capacity < state.size * 2) capacity *= 2;
    tree = new Int32Array(capacity + 1);
    slots = new Array(capacity + 1);
    entries.clear();
    next = 1;
    completed = 0;
    for (const todo of state.values()) {
      slots[next] = todo.id;
      entries.set(todo.id, { slot: next, completed: todo.completed });
      if (todo.completed) completed++;
      tree[next] = 1;
      next++;
    }
    // Each node passes its sum up to its parent, bottom-up: the tree in O(capacity).
    for (let i = 1; i <= capacity; i++) {
      const parent = i + (i & -i);
      if (parent <= capacity) tree[parent] = (tree[parent] ?? 0) + (tree[i] ?? 0);
    }
    alive = state.size;
  };
  // A projection restored from a snapshot replaces its state object: start over from it.
  const current = () => {
    if (builtFrom !== todoList.state()) rebuild();
  };

  rebuild();
  todoList.onChange((state, event) => {
    if (builtFrom !== state) {
      rebuild();
      for (const listener of listeners) listener({ kind: 'reset', sequence: event.globalSequence });
      return;
    }
    const id = event.aggregateId;
    const todo = state.get(id);
    const entry = entries.get(id);
    let change: TodoIndexChange | undefined;
    if (todo && !entry && event.eventType === 'TodoRestored') {
      // Back in the middle of the list, where no slot is free: renumber (as a compaction does).
      rebuild();
      const slot = entries.get(id)?.slot ?? 0;
      change = {
        kind: 'restored',
        id,
        sequence: event.globalSequence,
        newer: alive - prefix(slot),
      };
    } else if (todo && !entry) {
      if (next > capacity) {
        rebuild(); // compacts and doubles; the new todo is in the state already
      } else {
        slots[next] = id;
        entries.set(id, { slot: next, completed: todo.completed });
        add(next, 1);
        next++;
        alive++;
        if (todo.completed) completed++;
      }
      change = { kind: 'created', id, sequence: event.globalSequence };
    } else if (todo && entry) {
      if (todo.completed !== entry.completed) {
        completed += todo.completed ? 1 : -1;
        entry.completed = todo.completed;
      }
      change = {
        kind: 'updated',
        id,
        sequence: event.globalSequence,
        newer: alive - prefix(entry.slot),
      };
    } else if (entry) {
      add(entry.slot, -1);
      slots[entry.slot] = undefined;
      entries.delete(id);
      alive--;
      if (entry.completed) completed--;
      const newer = alive - prefix(entry.slot);
      if (next - 1 - alive > Math.max(minCapacity, alive)) rebuild();
      change = { kind: 'deleted', id, sequence: event.globalSequence, newer };
    }
    if (change) for (const listener of listeners) listener(change);
  });

  const nthNewest = (k: number) => {
    current();
    if (k < 1 || k > alive) return undefined;
    return slots[find(alive - k + 1)];
  };
  /** The todos ranked first..last from the oldest (1-based, inclusive). */
  const ranked = (first: number, last: number) => {
    const state = todoList.state();
    const todos: TodoItem[] = [];
    for (let k = first; k <= last; k++) {
      const todo = state.get(slots[find(k)] ?? '');
      if (todo) todos.push(todo);
    }
    return todos;
  };

  return {
    position: () => todoList.position(),
    counts: () => {
      current();
      return { total: alive, completed };
    },
    newest(limit) {
      current();
      return ranked(Math.max(1, alive - limit + 1), alive);
    },
    nthNewest,
    get: (id) => todoList.state().get(id),
    range(offset, limit) {
      current();
      return ranked(offset + 1, Math.min(alive, offset + limit));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
