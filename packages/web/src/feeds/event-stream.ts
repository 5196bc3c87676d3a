import type { EventBus, EventStore, HeadSource, StoredEvent } from '@ironstar/application';
import { Hono } from 'hono';
import { nonNegativeInt } from '../api/read-routes';
import type { AppEnv } from '../app-env';
import { errorJson } from '../http-errors';
import { encodeSseMessage } from '../sse/sse-frame';
import { encodeText, type SseHub } from '../sse/sse-hub';
import { sseTransport } from '../sse/sse-transport';
import { createEventFanout } from './event-fanout';

// An event reaching many connections is the same object from the bus: encode it once.
const encoded = new WeakMap<StoredEvent, Uint8Array>();
const frameOf = (event: StoredEvent) => {
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
 */
export const eventStreamRoutes = (deps: {
  store: EventStore;
  bus: EventBus;
  hub: SseHub;
  bufferSize?: number;
  heads?: HeadSource;
  compression?: boolean;
  onFellBehind?: () => void;
  onCaughtUp?: () => void;
}) => {
  const fanout = createEventFanout({
    store: deps.store,
    bus: deps.bus,
    frameOf,
    ...(deps.heads ? { heads: deps.heads } : {}),
    ...(deps.bufferSize === undefined ? {} : { bufferSize: deps.bufferSize }),
    ...(deps.onFellBehind ? { onFellBehind: deps.onFellBehind } : {}),
    ...(deps.onCaughtUp ? { onCaughtUp: deps.onCaughtUp } : {}),
  });
  return new Hono<AppEnv>().get('/api/events/stream', async (c) => {
    const raw = c.req.header('last-event-id') ?? c.req.query('after');
    let after = nonNegativeInt(raw, -1);
    if (after === undefined) {
      return errorJson(
        c,
        400,
        'validation',
        'Last-Event-ID / after must be a non-negative integer',
      );
    }
    if (after === -1) {
      const head = await deps.store.head();
      if (head.isErr()) return errorJson(c, 503, 'unavailable', 'the event store is unavailable');
      after = head.value;
    }
    const from = after;
    return deps.hub.open(
      'events',
      (connection) => {
        connection.send(encodeText(encodeSseMessage({ retry: 1000 })));
        void fanout.attach(connection, from);
      },
      sseTransport(c, deps.compression),
    );
  });
};
