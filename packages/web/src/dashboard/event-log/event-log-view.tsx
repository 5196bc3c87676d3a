/** @jsxImportSource hono/jsx */
import type { StoredEvent } from '@ironstar/application';
import { action } from '../../datastar/datastar-wire';
import { Layout, LiveFeed, type PageShell } from '../../pages/layout';
import { EmptyState, JsonView } from '../../ui/components';
import { queryString, shortId } from '../urls';
import { type EventFilter, FILTER_FIELDS } from './event-filter';

export const EVENTS_PAGE = '/events';
const MAX_SHOWN_JSON = 10_000;

/** `YYYY-MM-DD HH:MM:SS` (UTC) of an ISO timestamp. */
const dateTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;

const filterLink = (filter: EventFilter) => `${EVENTS_PAGE}${queryString(filter)}`;

/** One event: a summary line that expands to its payload and metadata. */
export const EventRow = ({ event }: { event: StoredEvent }) => {
  const meta = event.metadata ?? {};
  return (
    <li id={`ev-${event.globalSequence}`}>
      <details>
        <summary title="Show the payload and metadata">
          <span class="seq mono">#{event.globalSequence}</span>
          <span class="etype">{event.eventType}</span>
          <time
            class="mono muted small"
            datetime={event.createdAt}
            title={`${event.createdAt} (UTC)`}
          >
            {dateTime(event.createdAt)}
          </time>
          <span class="meta">
            <a href={filterLink({ aggregateType: event.aggregateType })}>{event.aggregateType}</a>
            <a
              class="mono"
              href={filterLink({ aggregateId: event.aggregateId })}
              title={event.aggregateId}
            >
              {shortId(event.aggregateId)}
            </a>
            <span class="muted">version {event.aggregateSequence}</span>
            {meta.actor === undefined ? null : (
              <span class="muted actor" title={`by ${meta.actor}`}>
                by{' '}
                {meta.actor === 'system' || meta.actor === 'local'
                  ? meta.actor
                  : shortId(meta.actor)}
              </span>
            )}
          </span>
        </summary>
        <div class="body">
          <dl>
            <dt>event id</dt>
            <dd class="mono">{event.id}</dd>
            <dt>at</dt>
            <dd class="mono">{event.createdAt}</dd>
            <dt>actor</dt>
            <dd class="mono actor">{meta.actor ?? 'unknown (stored before actors)'}</dd>
            {meta.correlationId === undefined ? null : (
              <>
                <dt>correlation</dt>
                <dd>
                  <a class="mono" href={filterLink({ correlationId: meta.correlationId })}>
                    {meta.correlationId}
                  </a>{' '}
                  <span class="muted small">(every event of this request)</span>
                </dd>
              </>
            )}
            {meta.causationId === undefined ? null : (
              <>
                <dt>caused by</dt>
                <dd>
                  <a class="mono" href={filterLink({ eventId: meta.causationId })}>
                    {meta.causationId}
                  </a>
                </dd>
              </>
            )}
            <dt>travel</dt>
            <dd>
              <a
                href={`/time-travel${queryString({ at: event.globalSequence, aggregateType: event.aggregateType, aggregate: event.aggregateId })}`}
              >
                the world after this event
              </a>
            </dd>
          </dl>
          <div class="muted small">payload</div>
          <JsonView value={event.payload} max={MAX_SHOWN_JSON} />
          <div class="muted small">metadata</div>
          <JsonView value={event.metadata} max={MAX_SHOWN_JSON} />
        </div>
      </details>
    </li>
  );
};

/** The "load older" control: a button while there is more to read. */
export const OlderControl = (props: {
  filter: EventFilter;
  nextBefore: number | null;
  shown: number;
}) => (
  <div id="event-older" class="row" style="margin-top: .75rem">
    {props.nextBefore === null ? (
      // An empty list says so once, above; "start of the log" only ends a list.
      props.shown === 0 ? null : (
        <span class="muted small">Start of the log.</span>
      )
    ) : (
      <>
        <button
          type="button"
          id="load-older"
          data-indicator="_loadingOlder"
          data-on-click={action(
            'get',
            `${EVENTS_PAGE}/older${queryString({ ...props.filter, before: props.nextBefore })}`,
          )}
        >
          Load older
        </button>
        <span class="muted small">before #{props.nextBefore}</span>
        <span class="spinner" data-show="$_loadingOlder">
          loading…
        </span>
      </>
    )}
  </div>
);

/** The list region: live rows are prepended to #event-rows, older pages appended. */
export const EventList = (props: {
  events: readonly StoredEvent[];
  filter: EventFilter;
  nextBefore: number | null;
}) => (
  <section id="event-log">
    <ol class="events" id="event-rows">
      {props.events.map((event) => (
        <EventRow event={event} />
      ))}
    </ol>
    {props.events.length === 0 ? (
      <EmptyState id="no-events">No matching events yet.</EmptyState>
    ) : null}
    <OlderControl filter={props.filter} nextBefore={props.nextBefore} shown={props.events.length} />
  </section>
);

const FILTER_LABELS: Record<(typeof FILTER_FIELDS)[number], string> = {
  aggregateType: 'Aggregate type',
  aggregateId: 'Aggregate id',
  eventType: 'Event type',
  correlationId: 'Correlation id',
  eventId: 'Event id',
};

/** What the filter suggests: every registered aggregate's type and event types. */
export type EventCatalog = {
  readonly aggregateTypes: readonly string[];
  readonly eventTypes: readonly string[];
};

export const EventsPage = (props: {
  shell: PageShell;
  catalog: EventCatalog;
  events: readonly StoredEvent[];
  filter: EventFilter;
  nextBefore: number | null;
  head: number;
}) => {
  const feed = `${EVENTS_PAGE}/feed${queryString({ ...props.filter, since: props.head })}`;
  const filtered = Object.keys(props.filter).length > 0;
  return (
    <Layout title="Event log" shell={props.shell} path={EVENTS_PAGE} wide>
      <div id="events-app" data-signals="{_loadingOlder: false}">
        <LiveFeed id="event-feed" url={feed} />
        <h1>Event log</h1>
        <p class="lead">
          Every stored event, newest first; new ones appear at the top as they are stored. Click a
          row (▸) for its payload and metadata. Ids match from their start (the short id a row shows
          is enough), types by any part of the name (“Renamed”).
        </p>
        <form class="filters" method="get" action={EVENTS_PAGE} id="event-filters">
          {FILTER_FIELDS.map((field) => (
            <input
              type="search"
              name={field}
              id={`filter-${field}`}
              placeholder={FILTER_LABELS[field]}
              aria-label={FILTER_LABELS[field]}
              value={props.filter[field] ?? ''}
              maxlength={200}
              list={
                field === 'aggregateType'
                  ? 'aggregate-types'
                  : field === 'eventType'
                    ? 'event-types'
                    : undefined
              }
            />
          ))}
          <button class="primary" type="submit">
            Filter
          </button>
          {filtered ? <a href={EVENTS_PAGE}>clear</a> : null}
          <datalist id="aggregate-types">
            {props.catalog.aggregateTypes.map((t) => (
              <option value={t} />
            ))}
          </datalist>
          <datalist id="event-types">
            {props.catalog.eventTypes.map((t) => (
              <option value={t} />
            ))}
          </datalist>
        </form>
        <EventList events={props.events} filter={props.filter} nextBefore={props.nextBefore} />
      </div>
    </Layout>
  );
};
