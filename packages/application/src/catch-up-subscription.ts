import { ALL_EVENTS, type EventBus } from './event-bus';
import type { EventStore, StoredEvent, StoreUnavailable } from './event-store';
import type { HeadSource } from './head-watcher';

export type CatchUpOptions = {
  readonly store: Pick<EventStore, 'readAll'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  /** Deliver events with global sequence > after. */
  readonly after: number;
  /** Which events to deliver; all positions are still tracked, so gaps stay visible. */
  readonly filter?: (event: StoredEvent) => boolean;
  /** Called once per event, in global order, never twice; awaited (backpressure). */
  readonly handle: (event: StoredEvent) => void | Promise<void>;
  readonly pageSize?: number;
  /** Live events held while the handler is busy; beyond it the subscriber reads the store. */
  readonly bufferSize?: number;
  /** Called when the subscriber falls behind live delivery and switches to the store. */
  readonly onFellBehind?: () => void;
  readonly onStoreError?: (error: StoreUnavailable) => void;
  /** Called each time the subscriber has read the store to its end. */
  readonly onCaughtUp?: (position: number) => void;
  /** Store heads now and then: a head past our position means live delivery missed something. */
  readonly heads?: HeadSource;
};

export type CatchUpSubscription = {
  /** The last global sequence seen (delivered or filtered out). */
  position(): number;
  stop(): void;
  /** Settles when the subscription stops; rejects if the handler threw. */
  readonly done: Promise<void>;
};

/** Full pages read in a row before timers and I/O get a turn. */
const YIELD_EVERY_PAGES = 4;

const yieldToEventLoop = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * A catch-up subscription: subscribe live first, then read the store from the checkpoint,
 * dedupe by global sequence, and go back to the store whenever a gap shows or the live
 * buffer overflows. Subscribe-before-replay and gap-free delivery live here, once.
 */
export const subscribeFrom = (options: CatchUpOptions): CatchUpSubscription => {
  const pageSize = options.pageSize ?? 500;
  const bufferSize = options.bufferSize ?? 256;
  const filter = options.filter ?? (() => true);

  let position = options.after;
  let stopped = false;
  let live: StoredEvent[] = [];
  let overflowed = false;
  let missed = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  // Live first: anything committed after this line either reaches the buffer or the store read.
  const unsubscribe = options.bus.subscribe(ALL_EVENTS, (event) => {
    if (stopped || event.globalSequence <= position) return;
    // A full buffer stays as it is: the run loop drops it and reads the store instead.
    if (live.length >= bufferSize) overflowed = true;
    else live.push(event);
    nudge();
  });

  const stopHeads = options.heads?.subscribe((head) => {
    if (head > position && live.length === 0) {
      missed = true;
      nudge();
    }
  });

  // Awaited only when the handler returns a promise: a rebuild's synchronous handlers would
  // otherwise cost a microtask per event (a million of them at a million events).
  const deliver = (event: StoredEvent): void | Promise<void> => {
    position = event.globalSequence;
    return filter(event) ? options.handle(event) : undefined;
  };

  const readStore = async (): Promise<void> => {
    let backoff = 50;
    let pages = 0;
    while (!stopped) {
      const page = await options.store.readAll({ after: position, limit: pageSize });
      if (page.isErr()) {
        options.onStoreError?.(page.error);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      for (const event of page.value) {
        if (stopped) return;
        const handled = deliver(event);
        if (handled) await handled;
      }
      if (page.value.length < pageSize) {
        options.onCaughtUp?.(position);
        return;
      }
      // A store that answers synchronously (libSQL on a file) resolves every await as a
      // microtask: without this, catching up a million events held the loop for seconds and
      // nothing else ran (the server did not listen, nor answer, until it was done).
      if (++pages % YIELD_EVERY_PAGES === 0) await yieldToEventLoop();
    }
  };

  const run = async () => {
    await readStore();
    while (!stopped) {
      if (overflowed) {
        overflowed = false;
        live = [];
        options.onFellBehind?.();
        await readStore();
        continue;
      }
      if (missed) {
        missed = false;
        await readStore();
        continue;
      }
      const event = live.shift();
      if (event === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (event.globalSequence <= position) continue;
      if (event.globalSequence === position + 1) {
        const handled = deliver(event);
        if (handled) await handled;
        continue;
      }
      // A jump: something was published out of order or lost. The store has it.
      live.unshift(event);
      await readStore();
    }
  };

  const done = run().finally(() => {
    unsubscribe();
    stopHeads?.();
  });
  // Callers who do not await `done` must not see an unhandled rejection.
  done.catch(() => {});

  return {
    position: () => position,
    stop() {
      stopped = true;
      unsubscribe();
      stopHeads?.();
      nudge();
    },
    done,
  };
};

export type CatchUpToHead = CatchUpSubscription & {
  /** Settles once the store has been read up to `head` and `onReached` has finished. */
  readonly caughtUp: Promise<void>;
};

/**
 * A catch-up subscription that says when a rebuild is done: once it has first read the store
 * up to `head` (the store's head when the rebuild began), it calls `onReached` (which may
 * finish asynchronously) and resolves `caughtUp`. Failures of the store, or a handler that
 * throws, are reported to `onError`.
 */
export const subscribeToHead = (
  options: Omit<CatchUpOptions, 'onStoreError'> & {
    readonly head: number;
    readonly onReached?: (position: number) => void | Promise<void>;
    readonly onError?: (error: unknown) => void;
  },
): CatchUpToHead => {
  let reach: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => {
    reach = resolve;
  });
  let reached = false;
  const subscription = subscribeFrom({
    ...options,
    onCaughtUp: (position) => {
      options.onCaughtUp?.(position);
      if (reached || position < options.head) return;
      reached = true;
      // Called now, before the next event is handled; `caughtUp` waits for what it returns.
      Promise.resolve(options.onReached?.(position)).then(reach, (error: unknown) => {
        options.onError?.(error);
        reach();
      });
    },
    onStoreError: (error) => options.onError?.(error),
  });
  subscription.done.catch((error: unknown) => options.onError?.(error));
  return { ...subscription, caughtUp };
};
