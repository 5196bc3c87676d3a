import {
  type CatchUpSubscription,
  type EventBus,
  type EventStore,
  type HeadSource,
  type StoredEvent,
  subscribeFrom,
} from '@ironstar/application';
import type { SseConnection } from '../sse/sse-hub';
import { createSharedReads } from './shared-reads';

/** An event's bytes for one connection; undefined sends nothing (the position still moves). */
export type FrameOf = (event: StoredEvent) => Uint8Array | undefined;

export type FanoutOptions = {
  readonly store: Pick<EventStore, 'readAll' | 'head'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  /** Encodes an event's frame (callers cache it per event object). */
  readonly frameOf: FrameOf;
  readonly heads?: HeadSource;
  readonly bufferSize?: number;
  readonly onFellBehind?: () => void;
  readonly onCaughtUp?: () => void;
  /** Called for each query the fan-out's readers send to the store. */
  readonly onStoreRead?: () => void;
};

type Member = {
  readonly connection: SseConnection;
  readonly frameOf: FrameOf;
  position: number;
  stop?: (() => void) | undefined;
};

/**
 * Fan-out for every event feed: `/api/events/stream` and the dashboard's feeds. One shared
 * catch-up subscription writes each event's frame to every connection that is caught up, with
 * no per-connection subscription. A connection that starts behind, or stops taking bytes, gets
 * a reader of its own, and rejoins the shared writer once it has caught up with it. Those
 * readers share their store reads (see shared-reads), so 1,000 clients catching up from one
 * position cost about one read of each page, not 1,000. Nothing waits for a slow connection,
 * and no connection sees an event twice or misses one.
 */
export const createEventFanout = (options: FanoutOptions) => {
  const reads = createSharedReads(
    options.store,
    options.onStoreRead ? { onStoreRead: options.onStoreRead } : {},
  );
  const live = new Set<Member>();
  const watchers = new Set<(sequence: number) => void>();
  let members = 0;
  let shared: { subscription: CatchUpSubscription; position: number } | undefined;
  let starting: Promise<void> | undefined;

  const ownReader = (member: Member) => {
    const subscription = subscribeFrom({
      store: reads,
      bus: options.bus,
      after: member.position,
      ...(options.heads ? { heads: options.heads } : {}),
      ...(options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }),
      handle: async (event) => {
        const frame = member.frameOf(event);
        if (frame) member.connection.send(frame);
        member.position = event.globalSequence;
        // Caught up with the shared writer: hand over now, in this same turn, so that no
        // event falls between the two.
        if (shared && member.position >= shared.position && member.connection.writable()) {
          subscription.stop();
          member.stop = undefined;
          live.add(member);
          options.onCaughtUp?.();
          return;
        }
        if (frame) await member.connection.drained();
      },
    });
    member.stop = () => subscription.stop();
  };

  const writeLive = (event: StoredEvent) => {
    if (!shared) return;
    shared.position = event.globalSequence;
    reads.headMoved(event.globalSequence);
    for (const watcher of watchers) watcher(event.globalSequence);
    for (const member of live) {
      if (event.globalSequence <= member.position) continue; // it read this one itself
      if (event.globalSequence === member.position + 1 && member.connection.writable()) {
        const frame = member.frameOf(event);
        if (frame) member.connection.send(frame);
        member.position = event.globalSequence;
        continue;
      }
      // Slow (or, in theory, a gap): off the shared writer, onto a reader of its own.
      live.delete(member);
      options.onFellBehind?.();
      ownReader(member);
    }
  };

  let retry: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    starting ??= (async () => {
      const head = await reads.head();
      if (head.isErr()) {
        // Try again while anyone is waiting; meanwhile each connection reads for itself.
        starting = undefined;
        retry ??= setTimeout(() => {
          retry = undefined;
          if (members > 0 && !shared) void start().catch(() => {});
        }, 1000);
        retry.unref?.();
        throw new Error(head.error.message);
      }
      // Every connection may have left while the head was read: then start nothing.
      if (members === 0) {
        starting = undefined;
        return;
      }
      shared = {
        position: head.value,
        subscription: subscribeFrom({
          store: reads,
          bus: options.bus,
          after: head.value,
          ...(options.heads ? { heads: options.heads } : {}),
          handle: writeLive,
        }),
      };
    })();
    return starting;
  };

  const stopShared = () => {
    clearTimeout(retry);
    retry = undefined;
    shared?.subscription.stop();
    shared = undefined;
    starting = undefined;
  };
  const leave = () => {
    if (--members === 0) stopShared();
  };

  return {
    /**
     * Streams every event after `after` to `connection`, until it closes; `frameOf` encodes
     * them for this connection (default: the fan-out's).
     */
    async attach(connection: SseConnection, after: number, frameOf = options.frameOf) {
      members++;
      const member: Member = { connection, frameOf, position: after };
      connection.onClose(() => {
        live.delete(member);
        member.stop?.();
        leave();
      });
      // If the store is unreachable right now, this connection reads for itself (its reader
      // retries) while the shared reader is retried.
      await start().catch(() => {});
      if (connection.isClosed()) return;
      if (shared && member.position >= shared.position) live.add(member);
      else ownReader(member);
    },
    /** Calls `listener` with each new global sequence, from the shared reader. */
    watch(listener: (sequence: number) => void) {
      members++;
      watchers.add(listener);
      void start().then(
        () => {
          if (shared && watchers.has(listener)) listener(shared.position);
        },
        () => {},
      );
      return () => {
        if (watchers.delete(listener)) leave();
      };
    },
    /** The store's head: the shared reader's position when it runs, else one shared query. */
    async head() {
      if (shared) return shared.position;
      const head = await reads.head();
      return head.isOk() ? head.value : undefined;
    },
    /** The store's head, asked now (one query for every caller asking at the same time). */
    async storeHead() {
      const head = await reads.head();
      return head.isOk() ? head.value : undefined;
    },
    /** Connections currently served by the shared writer (for tests and metrics). */
    liveCount: () => live.size,
    /** Store queries the fan-out made (for tests and metrics). */
    storeReads: () => reads.storeReads(),
  };
};

export type EventFanout = ReturnType<typeof createEventFanout>;
