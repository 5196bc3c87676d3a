import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../boundary/security-headers';
import { problem, problemResponse } from '../http-errors';
import { createFlushingCompressor, type SseEncoding } from './sse-compression';
import { encodeSseComment, SSE_HEADERS } from './sse-frame';

const encoder = new TextEncoder();

/** One open SSE response. Writing after the client left is a no-op, never a throw. */
export type SseConnection = {
  readonly feed: string;
  /** Whose feed it is (absent: nobody's, uncounted). */
  readonly owner?: FeedOwner | undefined;
  /** Queues bytes for the client; returns false once the connection is closed. */
  send(chunk: Uint8Array): boolean;
  /** True while the client keeps up; false means queue nothing more until `onDrain`. */
  writable(): boolean;
  /** Resolves when the client has taken what was queued, or the connection closed. */
  drained(): Promise<void>;
  onDrain(listener: () => void): void;
  onClose(listener: () => void): void;
  isClosed(): boolean;
};

/** The user (and session) a feed is open for: counted per user, closed with the session. */
export type FeedOwner = { readonly userId: string; readonly sessionId?: string | undefined };

export type SseHubOptions = {
  /** Open feeds one user may hold; past it, 429 with Retry-After (default: no cap). */
  readonly feedsPerUser?: number;
  /** Comment line sent to every idle connection this often (default 15 s). */
  readonly keepAliveMs?: number;
  /** Chunks a web-stream connection may have queued before it counts as slow. */
  readonly queueChunks?: number;
  /** Open streams across every feed; past it, `unavailable` (default 10,000). */
  readonly maxConnections?: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  readonly retryAfterSeconds?: number;
  readonly onCountChange?: (feed: string, delta: 1 | -1) => void;
  readonly onRefused?: (feed: string) => void;
  /** Bytes written to a feed: as encoded, and as sent after compression. */
  readonly onBytes?: (feed: string, encoded: number, sent: number) => void;
};

export type SseResponseOptions = {
  readonly headers?: Record<string, string>;
  readonly encoding?: SseEncoding | undefined;
  /**
   * Node's response, when the app runs on @hono/node-server (`c.env.outgoing`): bytes are
   * written to it directly, a few µs per message instead of a web stream's tens.
   */
  readonly outgoing?: ServerResponse | undefined;
  /** Whose feed it is: the per-user cap, and closed when that session ends. */
  readonly owner?: FeedOwner | undefined;
};

/** Where a connection's bytes go: a web ReadableStream, or Node's response itself. */
type Sink = {
  write(chunk: Uint8Array): void;
  writable(): boolean;
  abort(reason: Error): void;
};

// Tells @hono/node-server that the handler has written the response itself.
const ALREADY_SENT = { 'x-hono-already-sent': 'true' };

/**
 * Owns every open SSE response: shares one keep-alive timer, and on shutdown cuts the
 * streams so that clients see a network failure and reconnect with Last-Event-ID (a clean
 * end of stream makes the Datastar beta client stop for good).
 */
export const createSseHub = (options: SseHubOptions = {}) => {
  const open = new Set<{ connection: SseConnection; abort: (reason: Error) => void }>();
  const keepAlive = encoder.encode(encodeSseComment('keep-alive'));
  const highWaterMark = options.queueChunks ?? 8;
  const maxConnections = options.maxConnections ?? 10_000;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const feedsPerUser = options.feedsPerUser ?? Number.POSITIVE_INFINITY;
  // Open feeds by user: the cap is checked in O(1), and a session's feeds found without a scan.
  const byUser = new Map<
    string,
    Set<{ connection: SseConnection; abort: (reason: Error) => void }>
  >();

  const timer = setInterval(() => {
    for (const { connection } of open) {
      if (connection.writable()) connection.send(keepAlive);
    }
  }, options.keepAliveMs ?? 15_000);
  timer.unref();

  return {
    /**
     * Opens an SSE response. `start` runs once the stream exists; it should subscribe to
     * its source before it replays anything.
     */
    open(
      feed: string,
      start: (connection: SseConnection) => void,
      response: SseResponseOptions = {},
    ): Response {
      // The slot is taken here, synchronously, before the stream exists; close() gives it
      // back exactly once.
      if (open.size >= maxConnections) {
        options.onRefused?.(feed);
        return problemResponse(
          problem('unavailable', 'too many open streams; retry later', {
            'Retry-After': retryAfter,
          }),
        );
      }
      const owner = response.owner;
      if (owner && (byUser.get(owner.userId)?.size ?? 0) >= feedsPerUser) {
        options.onRefused?.(feed);
        return problemResponse(
          problem('rate_limited', `at most ${feedsPerUser} open feeds per user; close one first`, {
            'Retry-After': retryAfter,
          }),
        );
      }
      let closed = false;
      let sink: Sink | undefined;
      const drainListeners: Array<() => void> = [];
      const closeListeners: Array<() => void> = [];
      const notifyDrain = () => {
        for (const listener of drainListeners.splice(0)) listener();
      };
      const close = () => {
        if (closed) return;
        closed = true;
        compressor?.close();
        open.delete(entry);
        if (owner) {
          const mine = byUser.get(owner.userId);
          mine?.delete(entry);
          if (mine?.size === 0) byUser.delete(owner.userId);
        }
        options.onCountChange?.(feed, -1);
        notifyDrain();
        for (const listener of closeListeners.splice(0)) listener();
      };
      const write = (chunk: Uint8Array) => {
        if (closed || !sink) return;
        try {
          sink.write(chunk);
        } catch {
          close();
        }
      };
      const compressor = response.encoding
        ? createFlushingCompressor(response.encoding, (compressed) => {
            options.onBytes?.(feed, 0, compressed.byteLength);
            write(compressed);
          })
        : undefined;

      const connection: SseConnection = {
        feed,
        owner,
        send(chunk) {
          if (closed) return false;
          if (compressor) {
            options.onBytes?.(feed, chunk.byteLength, 0);
            compressor.write(chunk);
          } else {
            options.onBytes?.(feed, chunk.byteLength, chunk.byteLength);
            write(chunk);
          }
          return !closed;
        },
        writable: () => !closed && (sink?.writable() ?? false),
        drained: () =>
          connection.writable() || closed
            ? Promise.resolve()
            : new Promise<void>((resolve) => drainListeners.push(resolve)),
        onDrain: (listener) => {
          if (!closed) drainListeners.push(listener);
        },
        onClose: (listener) => {
          if (closed) listener();
          else closeListeners.push(listener);
        },
        isClosed: () => closed,
      };
      const entry = {
        connection,
        abort: (reason: Error) => {
          if (closed) return;
          sink?.abort(reason);
          close();
        },
      };

      const headers: Record<string, string> = {
        // Written straight to Node's response on that path, past Hono's middleware.
        ...SECURITY_HEADERS,
        ...SSE_HEADERS,
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        Vary: 'Accept-Encoding',
        ...(response.encoding ? { 'Content-Encoding': response.encoding } : {}),
        ...response.headers,
      };

      let result: Response;
      const { outgoing } = response;
      if (outgoing) {
        outgoing.writeHead(200, headers);
        outgoing.flushHeaders();
        outgoing.on('drain', notifyDrain);
        outgoing.on('close', close);
        sink = {
          write: (chunk) => void outgoing.write(chunk),
          writable: () => !outgoing.writableNeedDrain && !outgoing.destroyed,
          // Destroying the socket (not ending the response) is what makes clients retry.
          abort: () => outgoing.destroy(),
        };
        result = new Response(null, { headers: ALREADY_SENT });
      } else {
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        const body = new ReadableStream<Uint8Array>(
          {
            start(c) {
              controller = c;
            },
            pull: notifyDrain,
            cancel: close,
          },
          new CountQueuingStrategy({ highWaterMark }),
        );
        sink = {
          write: (chunk) => controller.enqueue(chunk),
          writable: () => (controller.desiredSize ?? 0) > 0,
          abort: (reason) => {
            try {
              controller.error(reason);
            } catch {
              // already errored or closed
            }
          },
        };
        result = new Response(body, { status: 200, headers });
      }
      open.add(entry);
      if (owner) {
        const mine = byUser.get(owner.userId) ?? new Set();
        mine.add(entry);
        byUser.set(owner.userId, mine);
      }
      options.onCountChange?.(feed, 1);
      start(connection);
      return result;
    },
    maxConnections,
    size: (feed?: string) =>
      feed === undefined ? open.size : [...open].filter((e) => e.connection.feed === feed).length,
    /** Open feeds of one user. */
    sizeOf: (userId: string) => byUser.get(userId)?.size ?? 0,
    /**
     * Cuts the feeds of a session that ended (or every feed of a user, without a session id):
     * its client reconnects, and that request is refused (401).
     */
    closeSession(userId: string, sessionId?: string, reason = new Error('session ended')) {
      for (const entry of [...(byUser.get(userId) ?? [])]) {
        if (sessionId === undefined || entry.connection.owner?.sessionId === sessionId) {
          entry.abort(reason);
        }
      }
    },
    /** Cuts every open stream so clients reconnect; used at shutdown. */
    abortAll(reason = new Error('server shutting down')) {
      for (const entry of [...open]) entry.abort(reason);
    },
    stop() {
      clearInterval(timer);
    },
  };
};

export type SseHub = ReturnType<typeof createSseHub>;

export const encodeText = (text: string): Uint8Array => encoder.encode(text);
