import { type CatchUpSubscription, subscribeFrom } from './catch-up-subscription';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent } from './event-store';

/** A read model: a pure fold over stored events. */
export type Projection<State> = {
  readonly name: string;
  readonly initialState: () => State;
  readonly evolve: (state: State, event: StoredEvent) => State;
  readonly filter?: (event: StoredEvent) => boolean;
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
};

/** Keeps one projection current: rebuild at start, then live, applied in global order exactly once. */
export const createProjectionRunner = <State>(
  options: ProjectionRunnerOptions<State>,
): ProjectionRunner<State> => {
  const { projection } = options;
  let state = projection.initialState();
  let subscription: CatchUpSubscription | undefined;
  const listeners = new Set<ProjectionListener<State>>();

  return {
    async start() {
      if (subscription) throw new Error(`projection ${projection.name} already started`);
      const head = await options.store.head();
      if (head.isErr()) throw new Error(`cannot start ${projection.name}: ${head.error.message}`);
      let reached: () => void = () => {};
      const caughtUp = new Promise<void>((resolve) => {
        reached = resolve;
      });
      subscription = subscribeFrom({
        store: options.store,
        bus: options.bus,
        after: 0,
        ...(projection.filter ? { filter: projection.filter } : {}),
        handle: (event) => {
          state = projection.evolve(state, event);
          for (const listener of listeners) listener(state, event);
        },
        onCaughtUp: (position) => {
          if (position >= head.value) reached();
        },
        ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
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
    },
  };
};
