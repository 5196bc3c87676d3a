import type { Decider, Message } from '@ironstar/domain';
import { okAsync, type ResultAsync } from 'neverthrow';
import type { AppendResult, EventStore, StoredEvent, StoreUnavailable } from './event-store';
import type { SnapshotStore } from './snapshot-store';

/** An aggregate's state, its version, and the global sequence of its last event. */
export type Loaded<S> = { readonly state: S; readonly version: number; readonly sequence: number };

/** Where a command handler takes the state from: its memory first, or the store. */
export type Source = 'cache' | 'store';

export type SnapshotPolicy = {
  readonly store: SnapshotStore;
  /** Take a snapshot each time the version crosses a multiple of this. */
  readonly every: number;
  /** Bump when the state's shape changes; older snapshots are then ignored. */
  readonly schemaVersion: number;
  readonly onError?: (error: unknown) => void;
};

/**
 * How a command handler gets an aggregate's current state: from its memory of recent
 * aggregates, or from the store (the newest valid snapshot plus the events after it); and how
 * it keeps both up to date after an append.
 */
export const createAggregateStates = <E extends Message, S>(options: {
  readonly store: Pick<EventStore, 'readStream'>;
  readonly decider: Pick<Decider<unknown, E, S, unknown>, 'initialState' | 'evolve'>;
  readonly aggregateType: string;
  readonly readEvent: (event: StoredEvent) => E;
  /** Aggregates kept in memory, least recently used dropped first; 0 keeps none. */
  readonly cacheSize: number;
  readonly snapshots?: SnapshotPolicy;
}) => {
  const { store, decider, aggregateType, readEvent, snapshots } = options;
  const fromScratch = (): Loaded<S> => ({ state: decider.initialState(), version: 0, sequence: 0 });
  const cache = new Map<string, Loaded<S>>();

  const load = (aggregateId: string): ResultAsync<Loaded<S>, StoreUnavailable> => {
    const start: ResultAsync<Loaded<S>, StoreUnavailable> = snapshots
      ? snapshots.store
          .load(aggregateType, aggregateId)
          .map((snap) =>
            snap && snap.schemaVersion === snapshots.schemaVersion
              ? { state: snap.state as S, version: snap.version, sequence: snap.globalSequence }
              : fromScratch(),
          )
          .orElse(() => okAsync(fromScratch())) // a snapshot is only ever an optimisation
      : okAsync(fromScratch());
    return start.andThen((base) =>
      store.readStream(aggregateType, aggregateId, { afterVersion: base.version }).map((tail) => {
        let { state } = base;
        for (const event of tail) state = decider.evolve(state, readEvent(event));
        const last = tail.at(-1);
        return last
          ? { state, version: last.aggregateSequence, sequence: last.globalSequence }
          : { ...base, state };
      }),
    );
  };

  // With a size of 0 the entry just set is the oldest, and goes at once.
  const remember = (aggregateId: string, loaded: Loaded<S>) => {
    cache.delete(aggregateId);
    cache.set(aggregateId, loaded);
    if (cache.size > options.cacheSize) cache.delete(cache.keys().next().value as string);
  };

  const snapshotIfDue = (aggregateId: string, after: Loaded<S>, before: Loaded<S>) => {
    if (!snapshots) return;
    if (
      Math.floor(before.version / snapshots.every) === Math.floor(after.version / snapshots.every)
    ) {
      return;
    }
    void snapshots.store
      .save({
        aggregateType,
        aggregateId,
        version: after.version,
        globalSequence: after.sequence,
        schemaVersion: snapshots.schemaVersion,
        state: after.state,
      })
      .mapErr((error) => snapshots.onError?.(error));
  };

  return {
    /** The store's view: newest valid snapshot, then the events after it. */
    load,
    /** From memory when `source` allows and it has the aggregate (or knows it is new). */
    current(aggregateId: string, source: Source, isNew: boolean) {
      if (source === 'cache') {
        const cached = cache.get(aggregateId);
        if (cached) return okAsync<Loaded<S>, StoreUnavailable>(cached);
        if (isNew) return okAsync<Loaded<S>, StoreUnavailable>(fromScratch());
      }
      return load(aggregateId);
    },
    remember,
    forget: (aggregateId: string) => {
      cache.delete(aggregateId);
    },
    /** After a successful append: remember the new state, and snapshot it when due. */
    appended(aggregateId: string, before: Loaded<S>, decided: readonly E[], result: AppendResult) {
      let state = before.state;
      for (const event of decided) state = decider.evolve(state, event);
      const after = {
        state,
        version: result.version,
        sequence: result.events.at(-1)?.globalSequence ?? before.sequence,
      };
      remember(aggregateId, after);
      snapshotIfDue(aggregateId, after, before);
    },
  };
};
