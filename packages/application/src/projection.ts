import type { Message } from '@ironstar/domain';
import type { ResultAsync } from 'neverthrow';
import { type AggregateDefinition, eventReaderOrThrow } from './aggregate';
import { type CatchUpSubscription, subscribeToHead } from './catch-up-subscription';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent, StoreUnavailable } from './event-store';
import type { HeadSource } from './head-watcher';

/**
 * A read model fold: stored events folded, in global order, into a state the runner owns.
 *
 * Not a pure fold: `evolve` may update the state it is given in place and return it. A read
 * model of a million items is then O(1) per event, where a copy per event is O(n) and a
 * persistent map still costs ~3x on a rebuild (measured: issue 10). The price is the rule
 * that follows: nobody but the runner keeps the state across events. Readers take what they
 * need while they read (`runner.state()`); a copy (a snapshot, the time machine's past
 * states) goes through `snapshot.serialize`, which must not share anything `evolve` changes.
 */
export type Projection<State> = {
  readonly name: string;
  readonly initialState: () => State;
  /** Folds one event in; may change `state` and return it (see above). */
  readonly evolve: (state: State, event: StoredEvent) => State;
  readonly filter?: (event: StoredEvent) => boolean;
  /**
   * For snapshots and copies: bump `version` whenever evolve or the state's shape changes, so
   * an older snapshot is discarded and the projection rebuilt from the events.
   */
  readonly snapshot?: ProjectionCodec<State>;
};

/** How a read model's state becomes plain data and back (snapshots, and copies of it). */
export type ProjectionCodec<State> = {
  readonly version: number;
  readonly serialize: (state: State) => unknown;
  readonly deserialize: (data: unknown) => State;
};

/**
 * The codec of a read model that is a Map of immutable items by their id (in insertion
 * order): its snapshot is the list of items, which `evolve` replaces but never changes.
 */
export const mapByIdSnapshot = <Item extends { readonly id: string }>(
  version: number,
): ProjectionCodec<Map<string, Item>> => ({
  version,
  serialize: (items) => [...items.values()],
  deserialize: (data) => new Map((data as readonly Item[]).map((item) => [item.id, item])),
});

/**
 * A read model over one aggregate's events, typed: its events come through the aggregate's
 * reader (checked type and version), the stored event beside them for positions and ids.
 */
export const projectionOf = <C extends Message, E extends Message, S, Err, State>(
  aggregate: AggregateDefinition<C, E, S, Err>,
  spec: {
    readonly name: string;
    readonly initialState: () => State;
    readonly evolve: (state: State, event: E, stored: StoredEvent) => State;
    readonly snapshot?: ProjectionCodec<State>;
  },
): Projection<State> => {
  const read = eventReaderOrThrow(aggregate);
  return {
    name: spec.name,
    initialState: spec.initialState,
    filter: (event) => event.aggregateType === aggregate.type,
    evolve: (state, stored) => spec.evolve(state, read(stored), stored),
    ...(spec.snapshot ? { snapshot: spec.snapshot } : {}),
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

/**
 * Told of each event folded in. `replaying` is true during the start's catch-up, before any
 * live reader has seen the state: a structure derived from the state may drop its incremental
 * upkeep then and rebuild once on first use (cheaper than following a million events).
 */
export type ProjectionListener<State> = (
  state: State,
  event: StoredEvent,
  replaying: boolean,
) => void;

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
): ProjectionRunner<State> => createProjectionGroup(options).add(options.projection);

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
  const group = createProjectionGroup(options);
  // A mapped tuple cannot be walked with its element types; each `add` is typed on its own.
  return (projections as readonly Projection<unknown>[]).map((projection) =>
    group.add(projection),
  ) as unknown as Runners<States>;
};

/** What a group knows of each member, whatever its state's type. */
export type ProjectionMember = {
  readonly name: string;
  position(): number;
};

/** Projections joined one by one (`add`), then started and stopped together. */
export type ProjectionGroup = {
  /** Adds a projection (before `start`); its runner starts and stops the whole group. */
  add<State>(projection: Projection<State>): ProjectionRunner<State>;
  /** Every member, for readiness and metrics. */
  members(): readonly ProjectionMember[];
  start(): Promise<void>;
  stop(): Promise<void>;
};

type Member = ProjectionMember & {
  restore(): Promise<void>;
  apply(event: StoredEvent, live: boolean): void;
  reached(head: number): void;
  save(): Promise<void>;
};

/** The members of one catch-up subscription: see createProjectionRunners. */
export const createProjectionGroup = (
  options: Omit<ProjectionRunnerOptions<unknown>, 'projection'>,
): ProjectionGroup => {
  let subscription: CatchUpSubscription | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const members: Member[] = [];

  const add = <State>(projection: Projection<State>): ProjectionRunner<State> => {
    if (starting) throw new Error(`projection ${projection.name} added after the start`);
    let state = projection.initialState();
    let position = 0;
    let savedAt = 0;
    let saving: Promise<void> = Promise.resolve();
    const listeners = new Set<ProjectionListener<State>>();
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

    members.push({
      name: projection.name,
      position: () => position,
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
      apply(event: StoredEvent, live: boolean) {
        if (event.globalSequence <= position) return; // already in its snapshot
        position = event.globalSequence;
        if (projection.filter && !projection.filter(event)) return;
        state = projection.evolve(state, event);
        for (const listener of listeners) listener(state, event, !live);
        // Live: save now and then. (During the rebuild, once at the end is enough.)
        if (live && snapshots && position - savedAt >= snapshots.every) void save();
      },
      reached(head: number) {
        position = Math.max(position, head);
        if (snapshots && position - savedAt >= snapshots.every) void save();
      },
      save,
    });

    return {
      start: () => start(),
      state: () => state,
      position: () => position,
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      stop: () => stop(),
    };
  };

  const start = () => {
    starting ??= (async () => {
      const head = await options.store.head();
      if (head.isErr()) throw new Error(`cannot start projections: ${head.error.message}`);
      for (const member of members) await member.restore();
      let rebuilt = false;
      const following = subscribeToHead({
        store: options.store,
        bus: options.bus,
        after: Math.min(...members.map((m) => m.position())),
        head: head.value,
        handle: (event) => {
          for (const member of members) member.apply(event, rebuilt);
        },
        onReached: (position) => {
          for (const member of members) member.reached(position);
          rebuilt = true;
        },
        ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
        ...(options.heads ? { heads: options.heads } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      });
      subscription = following;
      await following.caughtUp;
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

  return { add, members: () => members, start, stop };
};

/**
 * A read model over one aggregate that is a Map of immutable items by id, in insertion order
 * (what a list page shows): it starts empty and snapshots as its list of items.
 */
export const mapProjectionOf = <
  C extends Message,
  E extends Message,
  S,
  Err,
  Item extends { readonly id: string },
>(
  aggregate: AggregateDefinition<C, E, S, Err>,
  spec: {
    readonly name: string;
    /** Bump whenever evolve or the items' shape changes: older snapshots are discarded. */
    readonly version: number;
    readonly evolve: (items: Map<string, Item>, event: E, stored: StoredEvent) => Map<string, Item>;
  },
): Projection<Map<string, Item>> =>
  projectionOf(aggregate, {
    name: spec.name,
    initialState: () => new Map(),
    snapshot: mapByIdSnapshot<Item>(spec.version),
    evolve: spec.evolve,
  });
