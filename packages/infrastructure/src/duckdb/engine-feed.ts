import {
  type EventBus,
  type EventStore,
  type HeadSource,
  type StoredEvent,
  subscribeToHead,
} from '@ironstar/application';
import { type EngineClient, EngineGone } from './duckdb-engine-client';

export type EngineFeedOptions = {
  readonly client: EngineClient;
  readonly store: Pick<EventStore, 'readAll'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly heads?: HeadSource;
  readonly batchSize: number;
  /** The global sequence the engine already holds up to (0: empty). */
  readonly after: number;
  /** The store's head when the feed starts: `caughtUp` resolves once it is applied. */
  readonly head: number;
  /** False once this engine is no longer the current one: nothing more is sent or reported. */
  readonly current: () => boolean;
  /** Each batch the engine appended, in order. */
  readonly onApplied: (batch: readonly StoredEvent[]) => void;
  readonly onError?: (error: unknown) => void;
  readonly onFellBehind?: () => void;
};

/**
 * Feeds one engine process every stored event after `after`, through a catch-up
 * subscription: batches of up to `batchSize`, live events flushed as soon as the loop is idle,
 * one append at a time and in order. A failed append would leave a gap, so the engine is
 * killed instead (and rebuilt by its owner).
 */
export const feedEngine = (options: EngineFeedOptions) => {
  const { client, current } = options;
  let pending: StoredEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let scheduled = false;

  const flush = () => {
    flushing = flushing.then(async () => {
      const batch = pending;
      pending = [];
      if (batch.length === 0 || !current()) return;
      await client.call({ op: 'append', events: batch });
      if (current()) options.onApplied(batch);
    });
    return flushing;
  };
  const failedAppend = (error: unknown) => {
    if (!current() || error instanceof EngineGone) return;
    options.onError?.(error);
    const message = error instanceof Error ? error.message : String(error);
    client.kill(`the analytics engine was restarted: an append failed: ${message}`);
  };

  const subscription = subscribeToHead({
    store: options.store,
    bus: options.bus,
    after: options.after,
    head: options.head,
    handle: async (event) => {
      pending.push(event);
      if (pending.length >= options.batchSize) return flush().catch(failedAppend);
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush().catch(failedAppend);
        });
      }
    },
    // Caught up once what was read up to the head is in the engine.
    onReached: () => flush().catch(() => {}),
    ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
    ...(options.heads ? { heads: options.heads } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    caughtUp: subscription.caughtUp,
    async stop(): Promise<void> {
      subscription.stop();
      await subscription.done.catch(() => {});
    },
  };
};

export type EngineFeed = ReturnType<typeof feedEngine>;
