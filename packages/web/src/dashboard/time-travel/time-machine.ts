import {
  type EventStore,
  type StoredEvent,
  type TodoList,
  todoListProjection,
} from '@ironstar/application';
import { err, ok, type Result } from 'neverthrow';

export type TimeMachineOptions = {
  readonly store: Pick<EventStore, 'readAll'>;
  /** A snapshot of the folded list is kept every this many events (history never changes). */
  readonly snapshotEvery?: number;
  readonly maxSnapshots?: number;
  /** Todos held across all snapshots at most: the memory they take does not grow unbounded. */
  readonly maxSnapshotTodos?: number;
  readonly pageSize?: number;
};

/**
 * The todo list as it was after any global sequence: the store's events up to it, folded with
 * the very projection the live page uses. Snapshots at fixed sequences make a fold start from
 * the nearest one below instead of from the first event.
 */
export const createTimeMachine = (options: TimeMachineOptions) => {
  const every = options.snapshotEvery ?? 1000;
  const maxSnapshots = options.maxSnapshots ?? 64;
  const maxSnapshotTodos = options.maxSnapshotTodos ?? 250_000;
  let held = 0;
  const pageSize = options.pageSize ?? 1000;
  const snapshots = new Map<number, TodoList>();

  const remember = (at: number, state: TodoList) => {
    if (state.size > maxSnapshotTodos) return;
    snapshots.set(at, new Map(state));
    held += state.size;
    while (snapshots.size > maxSnapshots || held > maxSnapshotTodos) {
      const oldest = snapshots.keys().next().value;
      if (oldest === undefined) break;
      held -= snapshots.get(oldest)?.size ?? 0;
      snapshots.delete(oldest);
    }
  };

  return {
    async todosAt(at: number): Promise<Result<TodoList, string>> {
      let from = Math.floor(at / every) * every;
      while (from > 0 && !snapshots.has(from)) from -= every;
      const base = snapshots.get(from);
      // Items are immutable values and evolve replaces them, so a shallow copy is a true copy.
      let state: TodoList = base ? new Map(base) : todoListProjection.initialState();
      let position = from;
      while (position < at) {
        const page = await options.store.readAll({
          after: position,
          limit: Math.min(pageSize, at - position),
        });
        if (page.isErr()) return err(page.error.message);
        if (page.value.length === 0) break;
        for (const event of page.value) {
          if (todoListProjection.filter?.(event) ?? true) {
            state = todoListProjection.evolve(state, event);
          }
          position = event.globalSequence;
          if (position % every === 0 && !snapshots.has(position)) remember(position, state);
        }
      }
      return ok(state);
    },
    /** The event stored at `sequence`, if any. */
    async eventAt(sequence: number): Promise<Result<StoredEvent | undefined, string>> {
      if (sequence < 1) return ok(undefined);
      const page = await options.store.readAll({ after: sequence - 1, limit: 1 });
      if (page.isErr()) return err(page.error.message);
      return ok(page.value[0]?.globalSequence === sequence ? page.value[0] : undefined);
    },
    snapshots: () => snapshots.size,
    /** Todos held across all snapshots. */
    heldTodos: () => held,
  };
};

export type TimeMachine = ReturnType<typeof createTimeMachine>;
