/** @jsxImportSource hono/jsx */
import type { EventStore, StoredEvent } from '@ironstar/application';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { err, ok, Result } from 'neverthrow';
import { nonNegativeInt } from '../../api/query-params';
import type { AppEnv } from '../../app-env';
import { mergeFragments, mergeSignals } from '../../datastar/datastar-wire';
import type { EventFanout } from '../../feeds/event-fanout';
import { errorJson, respond, storeUnavailable } from '../../http-errors';
import type { PastView } from '../../module';
import type { PageShell } from '../../pages/layout';
import { pageShell } from '../../pages/layout';
import { latestPush } from '../../sse/latest-push';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseFrames } from '../../sse/sse-response';
import { sseTransport } from '../../sse/sse-transport';
import { FEED_OPENED } from '../../ui/live';
import { signalsOf } from '../urls';
import { eventAt } from './time-machine';
import {
  HISTORY_BEFORE,
  MAX_HISTORY,
  type TimeTravelModel,
  TimeTravelPage,
  TimeTravelView,
  VIEW_ACTION,
} from './time-travel-view';
import { stepFrom } from './travel-step';

const OPENED = encodeText(FEED_OPENED);
const NAME = /^[\w.:-]{1,200}$/;

type Travel = { at: number | undefined; aggregateType: string; aggregateId: string };

/** A point of the log as one registered read model saw it (see `defineModule`'s timeTravel). */
export type PastViewAt = (at: number) => Promise<Result<PastView, string>>;

/** A Datastar expression that selects an aggregate's history; only plain names are placed in it. */
export const selectExpression = (aggregateType: string, aggregateId: string) =>
  NAME.test(aggregateType) && NAME.test(aggregateId)
    ? `$aggregateType = '${aggregateType}'; $aggregate = '${aggregateId}'; ${VIEW_ACTION}`
    : undefined;

/** `/time-travel`: the page, one view per travel (`/view`), and the moving head (`/feed`). */
export const timeTravelRoutes = (deps: {
  store: EventStore;
  fanout: EventFanout;
  hub: SseHub;
  shell: PageShell;
  views: readonly PastViewAt[];
  /** Aggregate types a step stops at (none: every event). */
  travelTypes?: readonly string[];
  compression?: boolean;
}) => {
  const model = async (travel: Travel): Promise<Result<TimeTravelModel, string>> => {
    const head = await deps.store.head();
    if (head.isErr()) return err(head.error.message);
    const live = travel.at === undefined;
    const at = Math.min(travel.at ?? head.value, head.value);
    const [views, event] = await Promise.all([
      Promise.all(deps.views.map((view) => view(at))),
      eventAt(deps.store, at),
    ]);
    const past = Result.combine(views);
    if (past.isErr()) return err(past.error);
    if (event.isErr()) return err(event.error);
    let selected: TimeTravelModel['selected'] = null;
    if (NAME.test(travel.aggregateType) && NAME.test(travel.aggregateId)) {
      selected = { aggregateType: travel.aggregateType, aggregateId: travel.aggregateId };
    } else if (
      event.value &&
      NAME.test(event.value.aggregateType) &&
      NAME.test(event.value.aggregateId)
    ) {
      // Only plain names: the selection travels in the page's signals, a Datastar expression.
      selected = { aggregateType: event.value.aggregateType, aggregateId: event.value.aggregateId };
    }
    let history: readonly StoredEvent[] = [];
    let historyFrom = 0;
    if (selected) {
      // A slice of the stream around `at` (its version then), however long the stream is.
      const { aggregateId } = selected;
      const pivot =
        event.value?.aggregateType === selected.aggregateType &&
        event.value.aggregateId === aggregateId
          ? event.value.aggregateSequence
          : (past.value.map((view) => view.versionOf(aggregateId)).find((v) => v !== undefined) ??
            0);
      historyFrom = Math.max(0, pivot - HISTORY_BEFORE);
      const stream = await deps.store.readStream(selected.aggregateType, aggregateId, {
        afterVersion: historyFrom,
        limit: MAX_HISTORY + 1,
      });
      if (stream.isErr()) return err(stream.error.message);
      history = stream.value;
    }
    const drawn = past.value.map((view) => view.render(selected, selectExpression));
    return ok({
      at,
      head: head.value,
      live,
      event: event.value,
      views: drawn,
      selected,
      history: history.slice(0, MAX_HISTORY),
      earlierHidden: historyFrom,
      laterHidden: history.length > MAX_HISTORY,
    });
  };

  return new Hono<AppEnv>()
    .get('/time-travel', async (c) => {
      const raw = c.req.query('at');
      const at = nonNegativeInt(raw, -1);
      if (at === undefined) return errorJson(c, 'validation', 'at must be a non-negative integer');
      const result = await model({
        at: at === -1 ? undefined : at,
        aggregateType: c.req.query('aggregateType') ?? '',
        aggregateId: c.req.query('aggregate') ?? '',
      });
      if (result.isErr()) return respond(c, storeUnavailable());
      return c.html(
        html`<!DOCTYPE html>${<TimeTravelPage model={result.value} shell={pageShell(c, deps.shell)} />}`,
      );
    })
    .get('/time-travel/view', async (c) => {
      const signals = signalsOf(c.req.query('datastar'));
      let at = Number(signals.at);
      const live = signals.live === true;
      const step = signals.step;
      const types = deps.travelTypes ?? [];
      if ((step === 'back' || step === 'forward') && !live && Number.isFinite(at) && types.length) {
        const head = await deps.store.head();
        if (head.isErr()) return respond(c, storeUnavailable());
        const to = await stepFrom(deps.store, {
          at: Math.max(0, Math.trunc(at)),
          direction: step,
          types,
          head: head.value,
        });
        if (to.isErr()) return respond(c, storeUnavailable());
        at = to.value;
      } else if (step === 'back' || step === 'forward') {
        at = Math.max(0, Math.trunc(at) + (step === 'back' ? -1 : 1));
      }
      const result = await model({
        at: live || !Number.isFinite(at) ? undefined : Math.max(0, Math.trunc(at)),
        aggregateType: typeof signals.aggregateType === 'string' ? signals.aggregateType : '',
        aggregateId: typeof signals.aggregate === 'string' ? signals.aggregate : '',
      });
      if (result.isErr()) return respond(c, storeUnavailable());
      const { at: resolved, head, selected } = result.value;
      return sseFrames([
        mergeSignals({
          step: '',
          at: resolved,
          head,
          aggregateType: selected?.aggregateType ?? '',
          aggregate: selected?.aggregateId ?? '',
        }),
        mergeFragments(String(<TimeTravelView model={result.value} />)),
      ]);
    })
    .get('/time-travel/feed', async (c) => {
      const head = await deps.fanout.head();
      if (head === undefined) {
        return respond(c, storeUnavailable());
      }
      return deps.hub.open(
        'time-travel',
        (connection) => {
          let latest = head;
          // Coalesced: a burst of events is one signal update with the newest head.
          const push = latestPush(
            connection,
            () => latest,
            () => encodeText(mergeSignals({ head: latest })),
          );
          // The head moves with the shared reader: no store read per connection.
          const unwatch = deps.fanout.watch((sequence) => {
            latest = Math.max(latest, sequence);
            push();
          });
          connection.onClose(unwatch);
          connection.send(OPENED);
          push();
        },
        sseTransport(c, deps.compression),
      );
    });
};
