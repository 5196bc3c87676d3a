import type { EventStore, Projection, ProjectionCodec, StoredEvent } from '@ironstar/application';
import { err, ok, type Result } from 'neverthrow';

export type TimeMachineOptions<T> = {
  readonly store: Pick<EventStore, 'readAll'>;
  /** The read model to rebuild; its codec (else structuredClone) copies the states kept. */
  readonly projection: Projection<T>;
  /** Items a state holds, to bound what the snapshots keep. */
  readonly size: (state: T) => number;
  /** A snapshot of the folded state is kept every this many events (history never changes). */
  readonly snapshotEvery?: number;
  readonly maxSnapshots?: number;
  /** Items held across all snapshots at most: the memory they take does not grow unbounded. */
  readonly maxSnapshotItems?: number;
  readonly pageSize?: number;
};

type Kept = { readonly data: unknown; readonly size: number };

/**
 * A read model as it was after any global sequence: the store's events up to it, folded with
 * the very projection the live runner uses. Snapshots at fixed sequences make a fold start
 * from the nearest one below instead of from the first event; they are copies made by the
 * projection's codec, since its evolve may change a state in place.
 */
export const createTimeMachine = <T>(options: TimeMachineOptions<T>) => {
  const { projection } = options;
  const codec: Pick<ProjectionCodec<T>, 'serialize' | 'deserialize'> = projection.snapshot ?? {
    serialize: (state) => structuredClone(state),
    deserialize: (data) => structuredClone(data as T),
  };
  const every = options.snapshotEvery ?? 1000;
  const maxSnapshots = options.maxSnapshots ?? 64;
  const maxItems = options.maxSnapshotItems ?? 250_000;
  const pageSize = options.pageSize ?? 1000;
  const snapshots = new Map<number, Kept>();
  let held = 0;

  const remember = (at: number, state: T) => {
    const size = options.size(state);
    if (size > maxItems) return;
    snapshots.set(at, { data: codec.serialize(state), size });
    held += size;
    while (snapshots.size > maxSnapshots || held > maxItems) {
      const oldest = snapshots.keys().next().value;
      if (oldest === undefined) break;
      held -= snapshots.get(oldest)?.size ?? 0;
      snapshots.delete(oldest);
    }
  };

  return {
    async stateAt(at: number): Promise<Result<T, string>> {
      let from = Math.floor(at / every) * every;
      while (from > 0 && !snapshots.has(from)) from -= every;
      const base = snapshots.get(from);
      let state = base ? codec.deserialize(base.data) : projection.initialState();
      let position = from;
      while (position < at) {
        const page = await options.store.readAll({
          after: position,
          limit: Math.min(pageSize, at - position),
        });
        if (page.isErr()) return err(page.error.message);
        if (page.value.length === 0) break;
        for (const event of page.value) {
          if (projection.filter?.(event) ?? true) state = projection.evolve(state, event);
          position = event.globalSequence;
          if (position % every === 0 && !snapshots.has(position)) remember(position, state);
        }
      }
      return ok(state);
    },
    snapshots: () => snapshots.size,
    /** Items held across all snapshots. */
    heldItems: () => held,
  };
};

export type TimeMachine<T> = ReturnType<typeof createTimeMachine<T>>;

/** The event stored at `sequence`, if any. */
export const eventAt = async (
  store: Pick<EventStore, 'readAll'>,
  sequence: number,
): Promise<Result<StoredEvent | undefined, string>> => {
  if (sequence < 1) return ok(undefined);
  const page = await store.readAll({ after: sequence - 1, limit: 1 });
  if (page.isErr()) return err(page.error.message);
  return ok(page.value[0]?.globalSequence === sequence ? page.value[0] : undefined);
};
