/** @jsxImportSource hono/jsx */
import type { StoredEvent } from '@ironstar/application';
import type { Child } from 'hono/jsx';
import { action } from '../../datastar/datastar-wire';
import { Layout, LiveFeed, type PageShell } from '../../pages/layout';
import { Badge, Button, EmptyState, JsonView } from '../../ui/components';
import { clockTime, shortId } from '../urls';

export const TIME_TRAVEL_PAGE = '/time-travel';
/** Events of the selected aggregate drawn at most, up to HISTORY_BEFORE of them before `at`. */
export const MAX_HISTORY = 100;
export const HISTORY_BEFORE = 60;
export const VIEW_URL = `${TIME_TRAVEL_PAGE}/view`;
/** The action that redraws the view for the current signals. */
export const VIEW_ACTION = action('get', VIEW_URL);
const view = VIEW_ACTION;

export type TimeTravelModel = {
  readonly at: number;
  readonly head: number;
  readonly live: boolean;
  readonly event: StoredEvent | undefined;
  /** Each registered read model as it was after `at`, drawn by its module. */
  readonly views: readonly Child[];
  readonly selected: { readonly aggregateType: string; readonly aggregateId: string } | null;
  /** A slice of the selected aggregate's stream around `at`; events after it are shown as later. */
  readonly history: readonly StoredEvent[];
  /** Events of the stream before the slice (not drawn), and whether more follow it. */
  readonly earlierHidden: number;
  readonly laterHidden: boolean;
};

const History = (props: { history: readonly StoredEvent[]; at: number }) => (
  <ol class="events" id="tt-history">
    {props.history.map((event) => (
      <li
        class={
          event.globalSequence === props.at
            ? 'at'
            : event.globalSequence > props.at
              ? 'later'
              : undefined
        }
      >
        <details>
          <summary>
            <span class="seq mono">#{event.globalSequence}</span>
            <span class="etype">{event.eventType}</span>
            <time class="mono muted small">{clockTime(event.createdAt)}</time>
            {event.globalSequence > props.at ? <span class="meta muted">(later)</span> : null}
          </summary>
          <div class="body">
            <JsonView value={event.payload} />
          </div>
        </details>
      </li>
    ))}
  </ol>
);

/** What an item is called at `at`: the `text`, `name` or `title` its latest event there gave it. */
const nameOf = (history: readonly StoredEvent[], at: number): string | undefined => {
  let name: string | undefined;
  for (const event of history) {
    if (event.globalSequence > at && name !== undefined) break;
    const payload = event.payload as Record<string, unknown> | null;
    for (const field of ['text', 'name', 'title']) {
      const value = payload?.[field];
      if (typeof value === 'string' && value.length > 0) name = value;
    }
  }
  return name;
};

/** The region each travel replaces: the world after event `at`. */
export const TimeTravelView = ({ model }: { model: TimeTravelModel }) => {
  const upTo = model.history.filter((e) => e.globalSequence <= model.at).length;
  const name = model.selected ? nameOf(model.history, model.at) : undefined;
  const notYet = model.selected !== null && upTo === 0 && model.earlierHidden === 0;
  return (
    <section id="tt-view" data-at={String(model.at)}>
      <p id="tt-event">
        {model.at === 0 ? (
          <span class="muted">Before the first event.</span>
        ) : model.event ? (
          <>
            After event <b class="mono">#{model.at}</b> of {model.head}:{' '}
            <span class="etype">{model.event.eventType}</span> on {model.event.aggregateType}{' '}
            <span class="mono">{shortId(model.event.aggregateId)}</span>{' '}
            <span class="muted">at {model.event.createdAt}</span>
          </>
        ) : (
          <span class="muted">No event #{model.at}.</span>
        )}
      </p>
      <div class="grid2">
        <div id="tt-models">{model.views}</div>
        <div>
          <h2>
            {model.selected ? (
              <>
                History of {model.selected.aggregateType}{' '}
                {name === undefined ? (
                  <span class="mono">{shortId(model.selected.aggregateId)}</span>
                ) : (
                  <span id="tt-history-name" title={model.selected.aggregateId}>
                    “<bdi>{name.length > 60 ? `${name.slice(0, 59)}…` : name}</bdi>”
                  </span>
                )}
              </>
            ) : (
              'History'
            )}
          </h2>
          {model.selected ? (
            <>
              {notYet ? (
                <p class="notice" id="tt-not-yet">
                  It does not exist yet at #{model.at}; its events below come later.
                </p>
              ) : (
                <p class="muted small">
                  {upTo} of {model.history.length} events up to #{model.at}; later ones are faded.
                </p>
              )}
              {model.earlierHidden > 0 ? (
                <p class="muted small" id="tt-history-earlier">
                  …{model.earlierHidden} earlier events not drawn.
                </p>
              ) : null}
              <History history={model.history} at={model.at} />
              {model.laterHidden ? (
                <p class="muted small" id="tt-history-later">
                  …later events not drawn.
                </p>
              ) : null}
            </>
          ) : (
            <EmptyState>Pick an item to see its history.</EmptyState>
          )}
        </div>
      </div>
    </section>
  );
};

/** One step along the log: leaves live mode and travels to `to` (an expression over $at). */
const Step = (props: { id: string; label: string; step: 'back' | 'forward'; text: string }) => (
  <Button
    id={props.id}
    aria-label={props.label}
    data-on-click={`$live = false; $step = '${props.step}'; ${view}`}
  >
    {props.text}
  </Button>
);

export const TimeTravelPage = (props: { model: TimeTravelModel; shell: PageShell }) => {
  const { model } = props;
  const signals = JSON.stringify({
    at: model.at,
    head: model.head,
    live: model.live,
    step: '',
    aggregateType: model.selected?.aggregateType ?? '',
    aggregate: model.selected?.aggregateId ?? '',
  });
  const travel = `$live = false; ${view}`;
  // The slider and the number field both edit $at, up to the moving head.
  const atInput = {
    min: '0',
    value: String(model.at),
    'data-bind': 'at',
    'data-attr-max': '$head',
  };
  return (
    <Layout title="Time travel" shell={props.shell} path={TIME_TRAVEL_PAGE} wide>
      <div id="tt-app" data-signals={signals}>
        <LiveFeed id="tt-feed" url={`${TIME_TRAVEL_PAGE}/feed`} />
        {/* While live, every new head moves the view along with it. */}
        <div id="tt-follow" data-on-signal-change-head={`$live ? ($at = $head, ${view}) : null`} />
        <h1>
          Time travel{' '}
          <Badge tone="ok" data-show="$live">
            live
          </Badge>
        </h1>
        <p class="muted small">
          Pick any point of the log: each read model is rebuilt from the events up to it with the
          same projection the live pages use.
        </p>
        <div class="row" id="tt-controls">
          <Step id="tt-back" label="One event back" step="back" text="◀" />
          <input
            type="range"
            id="tt-slider"
            aria-label="Global sequence"
            max={String(model.head)}
            {...atInput}
            {...{ 'data-on-input__debounce.150ms': travel }}
          />
          <Step id="tt-forward" label="One event forward" step="forward" text="▶" />
          <input
            type="number"
            id="tt-at"
            aria-label="Sequence"
            class="seq-input"
            {...atInput}
            data-on-change={travel}
          />
          <span class="muted small">
            of{' '}
            <span id="tt-head" data-text="$head">
              {model.head}
            </span>
          </span>
          <Button kind="primary" id="tt-now" data-on-click={`$live = true; $at = $head; ${view}`}>
            Now
          </Button>
        </div>
        <TimeTravelView model={model} />
      </div>
    </Layout>
  );
};
