import type { ProjectionRunner } from '@ironstar/application';
import { ownTodo, type TodoItem, type TodoList, todosOf } from './todo-list-projection';

/** What one event did to its owner's list, with the changed todo's place counted from the newest. */
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
      /** The owner's todos created after this one (0 = the newest). */
      readonly newer: number;
    };

export type TodoCounts = { readonly total: number; readonly completed: number };

/** One user's todos, as their page and feed read them. */
export type TodoIndex = {
  /** The projection position the index reflects. */
  position(): number;
  /**
   * The global sequence of this user's last change (or of the last rebuild): a client that
   * was sent a frame at or after it already shows this user's list as it is.
   */
  changedAt(): number;
  counts(): TodoCounts;
  get(id: string): TodoItem | undefined;
  /** The newest `limit` todos, in creation order (the page's order). */
  newest(limit: number): TodoItem[];
  /** The id of the k-th newest todo (1 = the newest). */
  nthNewest(k: number): string | undefined;
  /** The todos from `offset` (0 = the oldest) on, at most `limit`, in creation order. */
  range(offset: number, limit: number): TodoItem[];
};

/** Every user's index, and the changes as they happen, each with its owner. */
export type TodoIndexes = {
  position(): number;
  of(owner: string): TodoIndex;
  /**
   * Called after each change, once the index reflects it: `owner` is whose list changed,
   * undefined for a reset (every list). Returns an unsubscribe.
   */
  onChange(listener: (owner: string | undefined, change: TodoIndexChange) => void): () => void;
};

/** One owner's ranks: a Fenwick tree counting live todos per creation slot. */
type Ranks = {
  capacity: number;
  tree: Int32Array;
  slots: Array<string | undefined>;
  next: number;
  alive: number;
  completed: number;
  changedAt: number;
};

const add = (r: Ranks, slot: number, delta: number) => {
  for (let i = slot; i <= r.capacity; i += i & -i) r.tree[i] = (r.tree[i] ?? 0) + delta;
};
const prefix = (r: Ranks, slot: number) => {
  let sum = 0;
  for (let i = slot; i > 0; i -= i & -i) sum += r.tree[i] ?? 0;
  return sum;
};
/** The slot of the k-th live todo from the oldest (1-based). */
const find = (r: Ranks, k: number) => {
  let position = 0;
  let remaining = k;
  for (let step = r.capacity; step > 0; step >>= 1) {
    const probe = position + step;
    if (probe <= r.capacity && (r.tree[probe] ?? 0) < remaining) {
      position = probe;
      remaining -= r.tree[probe] ?? 0;
    }
  }
  return position + 1;
};

/**
 * A rank index per owner over their todos' creation order, so a user's page and feed show a
 * window of that user's newest todos and say what a change did to it in O(log n) of that
 * user's todos: never a walk over a list, and never over anyone else's todos. Deleted slots
 * are compacted away once they outnumber the live ones.
 */
export const createTodoIndex = (
  todoList: ProjectionRunner<TodoList>,
  /** Smallest tree per owner, and the deleted slots always tolerated (tiny in tests). */
  tuning: { readonly minCapacity?: number } = {},
): TodoIndexes => {
  const minCapacity = tuning.minCapacity ?? 16;
  const owners = new Map<string, Ranks>();
  const entries = new Map<string, { owner: string; slot: number; completed: boolean }>();
  let builtFrom: TodoList | undefined;
  let builtAt = 0;
  const listeners = new Set<(owner: string | undefined, change: TodoIndexChange) => void>();

  /** Slots 1..n in the owner's own order, room to grow, the tree built in O(n). */
  const build = (owner: string, changedAt: number): Ranks => {
    const todos = todosOf(todoList.state(), owner);
    let capacity = minCapacity;
    while (capacity < todos.size * 2) capacity *= 2;
    const r: Ranks = {
      capacity,
      tree: new Int32Array(capacity + 1),
      slots: new Array(capacity + 1),
      next: 1,
      alive: todos.size,
      completed: 0,
      changedAt,
    };
    for (const todo of todos.values()) {
      r.slots[r.next] = todo.id;
      entries.set(todo.id, { owner, slot: r.next, completed: todo.completed });
      if (todo.completed) r.completed++;
      r.tree[r.next] = 1;
      r.next++;
    }
    // Each node passes its sum up to its parent, bottom-up: the tree in O(capacity).
    for (let i = 1; i <= capacity; i++) {
      const parent = i + (i & -i);
      if (parent <= capacity) r.tree[parent] = (r.tree[parent] ?? 0) + (r.tree[i] ?? 0);
    }
    owners.set(owner, r);
    return r;
  };
  const rebuild = () => {
    const state = todoList.state();
    builtFrom = state;
    builtAt = todoList.position();
    owners.clear();
    entries.clear();
    for (const owner of state.byOwner.keys()) build(owner, builtAt);
  };
  // A projection restored from a snapshot replaces its state object: start over from it.
  const current = () => {
    if (builtFrom !== todoList.state()) rebuild();
  };
  const emit = (owner: string | undefined, change: TodoIndexChange) => {
    for (const listener of listeners) listener(owner, change);
  };

  rebuild();
  todoList.onChange((state, event, replaying) => {
    // The start's catch-up: built once from the result on first use, not followed event by
    // event (that upkeep was ~30% of a million-event rebuild, and no reader sees it).
    if (replaying) {
      builtFrom = undefined;
      return;
    }
    if (builtFrom !== state) {
      rebuild();
      emit(undefined, { kind: 'reset', sequence: event.globalSequence });
      return;
    }
    const id = event.aggregateId;
    const sequence = event.globalSequence;
    const entry = entries.get(id);
    const owner = state.items.get(id)?.owner ?? entry?.owner;
    if (owner === undefined) return;
    const todo = ownTodo(state, owner, id);
    let r = owners.get(owner);
    let change: TodoIndexChange | undefined;
    if (todo && !entry && event.eventType === 'TodoRestored') {
      // Back in the middle of its owner's list, where no slot is free: renumber that owner's
      // ranks (as a compaction does).
      r = build(owner, sequence);
      const slot = entries.get(id)?.slot ?? 0;
      change = { kind: 'restored', id, sequence, newer: r.alive - prefix(r, slot) };
    } else if (todo && !entry) {
      if (!r || r.next > r.capacity) {
        // compacts and doubles; the new todo is in the state already
        r = build(owner, sequence);
      } else {
        r.slots[r.next] = id;
        entries.set(id, { owner, slot: r.next, completed: todo.completed });
        add(r, r.next, 1);
        r.next++;
        r.alive++;
        if (todo.completed) r.completed++;
      }
      change = { kind: 'created', id, sequence };
    } else if (todo && entry && r) {
      if (todo.completed !== entry.completed) {
        r.completed += todo.completed ? 1 : -1;
        entry.completed = todo.completed;
      }
      change = { kind: 'updated', id, sequence, newer: r.alive - prefix(r, entry.slot) };
    } else if (entry && r) {
      add(r, entry.slot, -1);
      r.slots[entry.slot] = undefined;
      entries.delete(id);
      r.alive--;
      if (entry.completed) r.completed--;
      const newer = r.alive - prefix(r, entry.slot);
      if (r.next - 1 - r.alive > Math.max(minCapacity, r.alive)) r = build(owner, sequence);
      change = { kind: 'deleted', id, sequence, newer };
    }
    if (!change || !r) return;
    r.changedAt = sequence;
    emit(owner, change);
  });

  const of = (owner: string): TodoIndex => {
    const ranks = () => {
      current();
      return owners.get(owner);
    };
    /** The todos ranked first..last from the oldest (1-based, inclusive). */
    const ranked = (r: Ranks | undefined, first: number, last: number) => {
      const todos: TodoItem[] = [];
      if (!r) return todos;
      const mine = todosOf(todoList.state(), owner);
      for (let k = first; k <= last; k++) {
        const todo = mine.get(r.slots[find(r, k)] ?? '');
        if (todo) todos.push(todo);
      }
      return todos;
    };
    return {
      position: () => todoList.position(),
      changedAt: () => ranks()?.changedAt ?? builtAt,
      counts: () => {
        const r = ranks();
        return { total: r?.alive ?? 0, completed: r?.completed ?? 0 };
      },
      get: (id) => ownTodo(todoList.state(), owner, id),
      newest(limit) {
        const r = ranks();
        return r ? ranked(r, Math.max(1, r.alive - limit + 1), r.alive) : [];
      },
      nthNewest(k) {
        const r = ranks();
        if (!r || k < 1 || k > r.alive) return undefined;
        return r.slots[find(r, r.alive - k + 1)];
      },
      range(offset, limit) {
        const r = ranks();
        return r ? ranked(r, offset + 1, Math.min(r.alive, offset + limit)) : [];
      },
    };
  };

  return {
    position: () => todoList.position(),
    of,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
