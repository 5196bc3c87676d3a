import type { StoredEvent } from '@ironstar/application';
import { Hono } from 'hono';
import { nonNegativeInt } from '../api/query-params';
import type { AppEnv } from '../app-env';
import { errorJson, respond, storeUnavailable } from '../http-errors';
import { encodeSseMessage } from '../sse/sse-frame';
import { encodeText, type SseHub } from '../sse/sse-hub';
import { sseTransport } from '../sse/sse-transport';
import type { EventFanout } from './event-fanout';

// An event reaching many connections is the same object from the bus: encode it once.
const encoded = new WeakMap<StoredEvent, Uint8Array>();
export const eventStreamFrame = (event: StoredEvent) => {
  let bytes = encoded.get(event);
  if (!bytes) {
    bytes = encodeText(
      encodeSseMessage({ id: event.globalSequence, data: [JSON.stringify(event)] }),
    );
    encoded.set(event, bytes);
  }
  return bytes;
};

/**
 * `GET /api/events/stream`: every stored event as a plain SSE message, `id:` = global
 * sequence. Resumes after Last-Event-ID (or ?after=); without either, starts at the head.
 * A position past the store's head is refused: no event will ever follow it.
 */
export const eventStreamRoutes = (deps: {
  fanout: EventFanout;
  hub: SseHub;
  compression?: boolean;
}) =>
  new Hono<AppEnv>().get('/api/events/stream', async (c) => {
    const raw = c.req.header('last-event-id') ?? c.req.query('after');
    const after = nonNegativeInt(raw, -1);
    if (after === undefined) {
      return errorJson(c, 'validation', 'Last-Event-ID / after must be a non-negative integer');
    }
    const head = await deps.fanout.head();
    if (head === undefined) {
      return respond(c, storeUnavailable());
    }
    if (after > head) {
      // The shared reader may be a moment behind the store: ask the store before refusing.
      const stored = await deps.fanout.storeHead();
      if (stored === undefined) {
        return respond(c, storeUnavailable());
      }
      if (after > stored) {
        return errorJson(
          c,
          'validation',
          `Last-Event-ID / after is past the store's head (${stored})`,
        );
      }
    }
    return deps.hub.open(
      'events',
      (connection) => {
        connection.send(encodeText(encodeSseMessage({ retry: 1000 })));
        void deps.fanout.attach(connection, after === -1 ? head : after);
      },
      sseTransport(c, deps.compression),
    );
  });
