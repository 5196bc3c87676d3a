import type { ResultAsync } from 'neverthrow';
import { type CatchUpSubscription, subscribeFrom } from './catch-up-subscription';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent, StoreUnavailable } from './event-store';
import type { HeadSource } from './head-watcher';

/** A read model: a pure fold over stored events. */
export type Projection<State> = {
  readonly name: string;
  readonly initialState: () => State;
  readonly evolve: (state: State, event: StoredEvent) => State;
  readonly filter?: (event: StoredEvent) => boolean;
  /**
   * For snapshots: bump `version` whenever evolve or the state's shape changes, so an older
   * snapshot is discarded and the projection rebuilt from the events.
   */
  readonly snapshot?: {
    readonly version: number;
    readonly serialize: (state: State) => unknown;
    readonly deserialize: (data: unknown) => State;
  };
};

/** A projection's state saved with the global sequence it reflects. */
export type ProjectionSnapshot = {
  readonly name: string;
  readonly version: number;
  readonly position: number;
  readonly data: unknown;
};

/** Port for projection snapshots: derived data, safe to lose. */
export type ProjectionSnapshotStore = {
  load(name: string): ResultAsync<ProjectionSnapshot | null, StoreUnavailable>;
  save(snapshot: ProjectionSnapshot): ResultAsync<void, StoreUnavailable>;
};

export type ProjectionListener<State> = (state: State, event: StoredEvent) => void;

export type ProjectionRunner<State> = {
  /** Rebuilds from the store, then follows the bus; resolves once caught up with the store's head at start. */
  start(): Promise<void>;
  state(): State;
  /** Global sequence of the last event folded in (or skipped by the filter). */
  position(): number;
  /** Called after each event that changed the read model; returns an unsubscribe. */
  onChange(listener: ProjectionListener<State>): () => void;
  stop(): Promise<void>;
};

export type ProjectionRunnerOptions<State> = {
  readonly store: Pick<EventStore, 'readAll' | 'head'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly projection: Projection<State>;
  readonly onError?: (error: unknown) => void;
  readonly onFellBehind?: () => void;
  /** Store heads, so events the bus lost are found even when no later event arrives. */
  readonly heads?: HeadSource;
  /** Start from a saved snapshot and save one every `every` events (and at stop). */
  readonly snapshots?: { readonly store: ProjectionSnapshotStore; readonly every: number };
};

/** Keeps one projection current: rebuild at start, then live, applied in global order exactly once. */
export const createProjectionRunner = <State>(
  options: ProjectionRunnerOptions<State>,
): ProjectionRunner<State> => {
  const [runner] = createProjectionRunners<readonly [State]>(options, [options.projection]);
  return runner;
};

type Runners<T extends readonly unknown[]> = { [K in keyof T]: ProjectionRunner<T[K]> };

/**
 * Several projections fed by one catch-up subscription, so a rebuild reads the store once for
 * all of them. Each keeps its own state, listeners, snapshot and position: one restored from a
 * newer snapshot skips the events it already holds.
 */
export const createProjectionRunners = <States extends readonly unknown[]>(
  options: Omit<ProjectionRunnerOptions<unknown>, 'projection'>,
  projections: { [K in keyof States]: Projection<States[K]> },
): Runners<States> => {
  let subscription: CatchUpSubscription | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const members = (projections as readonly Projection<unknown>[]).map((projection) => {
    let state = projection.initialState();
    let position = 0;
    let savedAt = 0;
    let saving: Promise<void> = Promise.resolve();
    const listeners = new Set<ProjectionListener<unknown>>();
    const snapshots =
      projection.snapshot && options.snapshots
        ? { ...projection.snapshot, ...options.snapshots }
        : undefined;

    const save = () => {
      if (!snapshots || position === savedAt) return saving;
      savedAt = position;
      const data = snapshots.serialize(state);
      const at = position;
      saving = saving.then(() =>
        snapshots.store
          .save({ name: projection.name, version: snapshots.version, position: at, data })
          .match(
            () => {},
            (error) => options.onError?.(error),
          ),
      );
      return saving;
    };

    return {
      projection,
      /** Loads the snapshot to start from, if it is of this projection's version. */
      async restore() {
        if (!snapshots) return;
        const loaded = await snapshots.store.load(projection.name);
        if (loaded.isErr()) {
          options.onError?.(loaded.error);
          return;
        }
        const snapshot = loaded.value;
        if (!snapshot || snapshot.version !== snapshots.version) return;
        state = snapshots.deserialize(snapshot.data);
        position = savedAt = snapshot.position;
      },
      position: () => position,
      apply(event: StoredEvent, live: boolean) {
        if (event.globalSequence <= position) return; // already in its snapshot
        position = event.globalSequence;
        if (projection.filter && !projection.filter(event)) return;
        state = projection.evolve(state, event);
        for (const listener of listeners) listener(state, event);
        // Live: save now and then. (During the rebuild, once at the end is enough.)
        if (live && snapshots && position - savedAt >= snapshots.every) void save();
      },
      reached(head: number) {
        position = Math.max(position, head);
        if (snapshots && position - savedAt >= snapshots.every) void save();
      },
      save,
      runner: {
        start: () => start(),
        state: () => state,
        position: () => position,
        onChange(listener: ProjectionListener<unknown>) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        stop: () => stop(),
      } satisfies ProjectionRunner<unknown>,
    };
  });

  const start = () => {
    starting ??= (async () => {
      const head = await options.store.head();
      if (head.isErr()) throw new Error(`cannot start projections: ${head.error.message}`);
      for (const member of members) await member.restore();
      let rebuilt = false;
      let reached: () => void = () => {};
      const caughtUp = new Promise<void>((resolve) => {
        reached = resolve;
      });
      subscription = subscribeFrom({
        store: options.store,
        bus: options.bus,
        after: Math.min(...members.map((m) => m.position())),
        handle: (event) => {
          for (const member of members) member.apply(event, rebuilt);
        },
        onCaughtUp: (position) => {
          if (rebuilt || position < head.value) return;
          for (const member of members) member.reached(position);
          rebuilt = true;
          reached();
        },
        ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
        ...(options.heads ? { heads: options.heads } : {}),
        onStoreError: (error) => options.onError?.(error),
      });
      subscription.done.catch((error: unknown) => options.onError?.(error));
      await caughtUp;
    })();
    return starting;
  };

  const stop = () => {
    stopping ??= (async () => {
      subscription?.stop();
      await subscription?.done.catch(() => {});
      for (const member of members) await member.save();
    })();
    return stopping;
  };

  return members.map((m) => m.runner) as unknown as Runners<States>;
};
