import {
  type CatchUpSubscription,
  type EventBus,
  type EventStore,
  type HeadSource,
  type StoredEvent,
  subscribeFrom,
} from '@ironstar/application';
import type { SseConnection } from '../sse/sse-hub';

export type FanoutOptions = {
  readonly store: Pick<EventStore, 'readAll' | 'head'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  /** Encodes an event's frame (callers cache it per event object). */
  readonly frameOf: (event: StoredEvent) => Uint8Array;
  readonly heads?: HeadSource;
  readonly bufferSize?: number;
  readonly onFellBehind?: () => void;
  readonly onCaughtUp?: () => void;
};

type Member = {
  readonly connection: SseConnection;
  position: number;
  stop?: (() => void) | undefined;
};

/**
 * Fan-out for many event streams. One shared catch-up subscription writes each event's frame
 * (encoded once) to every connection that is caught up, with no per-connection subscription.
 * A connection that starts behind, or stops taking bytes, gets a reader of its own over the
 * store, and rejoins the shared writer once it has caught up with it. Nothing waits for a slow
 * connection, and no connection sees an event twice or misses one.
 */
export const createEventFanout = (options: FanoutOptions) => {
  const live = new Set<Member>();
  let members = 0;
  let shared: { subscription: CatchUpSubscription; position: number } | undefined;
  let starting: Promise<void> | undefined;

  const ownReader = (member: Member) => {
    const subscription = subscribeFrom({
      store: options.store,
      bus: options.bus,
      after: member.position,
      ...(options.heads ? { heads: options.heads } : {}),
      ...(options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }),
      handle: async (event) => {
        member.connection.send(options.frameOf(event));
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
        await member.connection.drained();
      },
    });
    member.stop = () => subscription.stop();
  };

  const writeLive = (event: StoredEvent) => {
    if (!shared) return;
    shared.position = event.globalSequence;
    if (live.size === 0) return;
    const frame = options.frameOf(event);
    for (const member of live) {
      if (event.globalSequence <= member.position) continue; // it read this one itself
      if (event.globalSequence === member.position + 1 && member.connection.writable()) {
        member.connection.send(frame);
        member.position = event.globalSequence;
        continue;
      }
      // Slow (or, in theory, a gap): off the shared writer, onto a reader of its own.
      live.delete(member);
      options.onFellBehind?.();
      ownReader(member);
    }
  };

  const start = () => {
    starting ??= (async () => {
      const head = await options.store.head();
      if (head.isErr()) throw new Error(head.error.message);
      // Every connection may have left while the head was read: then start nothing.
      if (members === 0) {
        starting = undefined;
        return;
      }
      shared = {
        position: head.value,
        subscription: subscribeFrom({
          store: options.store,
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
    shared?.subscription.stop();
    shared = undefined;
    starting = undefined;
  };

  return {
    /** Streams every event after `after` to `connection`, until it closes. */
    async attach(connection: SseConnection, after: number) {
      members++;
      const member: Member = { connection, position: after };
      connection.onClose(() => {
        live.delete(member);
        member.stop?.();
        if (--members === 0) stopShared();
      });
      try {
        await start();
      } catch {
        // The store is unreachable right now: this connection reads for itself (its reader
        // retries), and the next connection tries to start the shared reader again.
        starting = undefined;
      }
      if (connection.isClosed()) return;
      if (shared && member.position >= shared.position) live.add(member);
      else ownReader(member);
    },
    /** Connections currently served by the shared writer (for tests and metrics). */
    liveCount: () => live.size,
  };
};
