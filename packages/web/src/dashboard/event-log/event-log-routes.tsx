/** @jsxImportSource hono/jsx */
import type { EventStore, StoredEvent } from '@ironstar/application';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { nonNegativeInt } from '../../api/query-params';
import type { AppEnv } from '../../app-env';
import { mergeFragments } from '../../datastar/datastar-wire';
import type { EventFanout } from '../../feeds/event-fanout';
import { errorJson, respond, storeUnavailable } from '../../http-errors';
import type { PageShell } from '../../pages/layout';
import { pageShell } from '../../pages/layout';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseFrames } from '../../sse/sse-response';
import { sseTransport } from '../../sse/sse-transport';
import { FEED_OPENED } from '../../ui/live';
import { type EventFilter, matches, parseFilter, readOlder } from './event-filter';
import { type EventCatalog, EventList, EventRow, EventsPage, OlderControl } from './event-log-view';

/** Rows shown on first load and per "load older". */
export const EVENTS_PAGE_SIZE = 50;
/**
 * Live rows one connection may prepend before its list is reset (bounds the DOM); also how
 * far behind a reconnecting client may be and still be sent what it missed rather than reset.
 */
export const MAX_LIVE_ROWS = 500;

const OPENED = encodeText(FEED_OPENED);

// A live event reaching many connections is the same object from the bus: render it once.
const rowFrames = new WeakMap<StoredEvent, Uint8Array>();
const rowFrame = (event: StoredEvent) => {
  let bytes = rowFrames.get(event);
  if (!bytes) {
    bytes = encodeText(
      mergeFragments(String(<EventRow event={event} />), {
        selector: '#event-rows',
        mergeMode: 'prepend',
        id: event.globalSequence,
      }),
    );
    rowFrames.set(event, bytes);
  }
  return bytes;
};

/** `/events`: the page, older pages (`/events/older`) and the live tail (`/events/feed`). */
export const eventLogRoutes = (deps: {
  store: EventStore;
  fanout: EventFanout;
  hub: SseHub;
  shell: PageShell;
  catalog: EventCatalog;
  compression?: boolean;
}) => {
  const newestPage = (filter: EventFilter, before: number) =>
    readOlder(deps.store, { before, filter, want: EVENTS_PAGE_SIZE });

  return new Hono<AppEnv>()
    .get('/events', async (c) => {
      const filter = parseFilter((name) => c.req.query(name));
      if (filter.isErr()) return errorJson(c, 'validation', filter.error);
      const head = await deps.store.head();
      if (head.isErr()) return respond(c, storeUnavailable());
      const page = await newestPage(filter.value, head.value + 1);
      if (page.isErr()) return respond(c, storeUnavailable());
      return c.html(
        html`<!DOCTYPE html>${(
          <EventsPage
            shell={pageShell(c, deps.shell)}
            catalog={deps.catalog}
            events={page.value.events}
            filter={filter.value}
            nextBefore={page.value.nextBefore}
            head={head.value}
          />
        )}`,
      );
    })
    .get('/events/older', async (c) => {
      const filter = parseFilter((name) => c.req.query(name));
      if (filter.isErr()) return errorJson(c, 'validation', filter.error);
      const before = nonNegativeInt(c.req.query('before'), -1);
      if (before === undefined || before < 1) {
        return errorJson(c, 'validation', 'before must be a positive integer');
      }
      const page = await newestPage(filter.value, before);
      if (page.isErr()) return respond(c, storeUnavailable());
      const rows = page.value.events.map((event) => String(<EventRow event={event} />)).join('');
      return sseFrames([
        ...(rows ? [mergeFragments(rows, { selector: '#event-rows', mergeMode: 'append' })] : []),
        mergeFragments(
          String(
            <OlderControl
              filter={filter.value}
              nextBefore={page.value.nextBefore}
              // Rows are above it already: an end here is the start of the log.
              shown={Math.max(1, page.value.events.length)}
            />,
          ),
        ),
      ]);
    })
    .get('/events/feed', async (c) => {
      const filter = parseFilter((name) => c.req.query(name));
      if (filter.isErr()) return errorJson(c, 'validation', filter.error);
      const after = nonNegativeInt(c.req.header('last-event-id') ?? c.req.query('since'), -1);
      if (after === undefined) {
        return errorJson(c, 'validation', 'Last-Event-ID / since must be a non-negative integer');
      }
      const head = await deps.fanout.head();
      if (head === undefined) {
        return respond(c, storeUnavailable());
      }
      // Far behind (or past the head, which no event will follow): the list starts over from
      // the head, with "load older" below it, instead of replaying the gap.
      const reset = after !== -1 && (after > head || head - after > MAX_LIVE_ROWS);
      const from = after === -1 || reset ? head : after;
      const restart = (events: readonly StoredEvent[], nextBefore: number, id: number) =>
        encodeText(
          mergeFragments(
            String(<EventList events={events} filter={filter.value} nextBefore={nextBefore} />),
            { id },
          ),
        );
      return deps.hub.open(
        'events-page',
        (connection) => {
          let liveRows = 0;
          connection.send(OPENED);
          if (reset) connection.send(restart([], head + 1, head));
          // Caught up through the shared reader, with this connection's filter and row count.
          void deps.fanout.attach(connection, from, (event) => {
            if (!matches(filter.value, event)) return undefined;
            if (liveRows >= MAX_LIVE_ROWS) {
              liveRows = 1;
              return restart([event], event.globalSequence, event.globalSequence);
            }
            liveRows++;
            return rowFrame(event);
          });
        },
        sseTransport(c, deps.compression),
      );
    });
};
