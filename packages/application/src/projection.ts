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
  const { projection } = options;
  let state = projection.initialState();
  let subscription: CatchUpSubscription | undefined;
  const listeners = new Set<ProjectionListener<State>>();
  const snapshots =
    projection.snapshot && options.snapshots
      ? { ...projection.snapshot, ...options.snapshots }
      : undefined;
  let savedAt = 0;
  let saving: Promise<void> = Promise.resolve();

  const save = () => {
    if (!snapshots || !subscription) return saving;
    const position = subscription.position();
    if (position === savedAt) return saving;
    savedAt = position;
    const data = snapshots.serialize(state);
    saving = saving.then(() =>
      snapshots.store
        .save({ name: projection.name, version: snapshots.version, position, data })
        .match(
          () => {},
          (error) => options.onError?.(error),
        ),
    );
    return saving;
  };

  /** The snapshot to start from, if it is of this projection's version. */
  const restore = async (): Promise<number> => {
    if (!snapshots) return 0;
    const loaded = await snapshots.store.load(projection.name);
    if (loaded.isErr()) {
      options.onError?.(loaded.error);
      return 0;
    }
    const snapshot = loaded.value;
    if (!snapshot || snapshot.version !== snapshots.version) return 0;
    state = snapshots.deserialize(snapshot.data);
    savedAt = snapshot.position;
    return snapshot.position;
  };

  return {
    async start() {
      if (subscription) throw new Error(`projection ${projection.name} already started`);
      const head = await options.store.head();
      if (head.isErr()) throw new Error(`cannot start ${projection.name}: ${head.error.message}`);
      const after = await restore();
      let rebuilt = false;
      let reached: () => void = () => {};
      const caughtUp = new Promise<void>((resolve) => {
        reached = resolve;
      });
      subscription = subscribeFrom({
        store: options.store,
        bus: options.bus,
        after,
        ...(projection.filter ? { filter: projection.filter } : {}),
        handle: (event) => {
          state = projection.evolve(state, event);
          for (const listener of listeners) listener(state, event);
          // Live: save now and then. (During the rebuild, once at the end is enough.)
          if (rebuilt && snapshots && event.globalSequence - savedAt >= snapshots.every)
            void save();
        },
        onCaughtUp: (position) => {
          if (position < head.value) return;
          if (!rebuilt && snapshots && position - savedAt >= snapshots.every) void save();
          rebuilt = true;
          reached();
        },
        ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
        ...(options.heads ? { heads: options.heads } : {}),
        onStoreError: (error) => options.onError?.(error),
      });
      subscription.done.catch((error: unknown) => options.onError?.(error));
      await caughtUp;
    },
    state: () => state,
    position: () => subscription?.position() ?? 0,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      subscription?.stop();
      await subscription?.done.catch(() => {});
      await save();
    },
  };
};
