/** @jsxImportSource hono/jsx */
import type { EventStore, StoredEvent } from '@ironstar/application';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { err, ok, type Result } from 'neverthrow';
import { nonNegativeInt } from '../../api/read-routes';
import type { AppEnv } from '../../app-env';
import { mergeFragments, mergeSignals } from '../../datastar/datastar-wire';
import type { EventFanout } from '../../feeds/event-fanout';
import { errorJson } from '../../http-errors';
import { latestPush } from '../../sse/latest-push';
import { encodeSseMessage } from '../../sse/sse-frame';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseFrames } from '../sse-response';
import { signalsOf } from '../urls';
import { createTimeMachine } from './time-machine';
import {
  HISTORY_BEFORE,
  MAX_HISTORY,
  type TimeTravelModel,
  TimeTravelPage,
  TimeTravelView,
} from './time-travel-view';

const RETRY = encodeText(encodeSseMessage({ retry: 1000 }));
const NAME = /^[\w.:-]{1,200}$/;

type Travel = { at: number | undefined; aggregateType: string; aggregateId: string };

/** `/time-travel`: the page, one view per travel (`/view`), and the moving head (`/feed`). */
export const timeTravelRoutes = (deps: { store: EventStore; fanout: EventFanout; hub: SseHub }) => {
  const machine = createTimeMachine({ store: deps.store });

  const model = async (travel: Travel): Promise<Result<TimeTravelModel, string>> => {
    const head = await deps.store.head();
    if (head.isErr()) return err(head.error.message);
    const live = travel.at === undefined;
    const at = Math.min(travel.at ?? head.value, head.value);
    const [todos, event] = await Promise.all([machine.todosAt(at), machine.eventAt(at)]);
    if (todos.isErr()) return err(todos.error);
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
      const pivot =
        event.value?.aggregateType === selected.aggregateType &&
        event.value.aggregateId === selected.aggregateId
          ? event.value.aggregateSequence
          : (todos.value.get(selected.aggregateId)?.version ?? 0);
      historyFrom = Math.max(0, pivot - HISTORY_BEFORE);
      const stream = await deps.store.readStream(selected.aggregateType, selected.aggregateId, {
        afterVersion: historyFrom,
        limit: MAX_HISTORY + 1,
      });
      if (stream.isErr()) return err(stream.error.message);
      history = stream.value;
    }
    return ok({
      at,
      head: head.value,
      live,
      event: event.value,
      todos: [...todos.value.values()],
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
      if (at === undefined)
        return errorJson(c, 400, 'validation', 'at must be a non-negative integer');
      const result = await model({
        at: at === -1 ? undefined : at,
        aggregateType: c.req.query('aggregateType') ?? '',
        aggregateId: c.req.query('aggregate') ?? '',
      });
      if (result.isErr()) return errorJson(c, 503, 'unavailable', 'the event store is unavailable');
      return c.html(html`<!DOCTYPE html>${<TimeTravelPage model={result.value} />}`);
    })
    .get('/time-travel/view', async (c) => {
      const signals = signalsOf(c.req.query('datastar'));
      const at = Number(signals.at);
      const live = signals.live === true;
      const result = await model({
        at: live || !Number.isFinite(at) ? undefined : Math.max(0, Math.trunc(at)),
        aggregateType: typeof signals.aggregateType === 'string' ? signals.aggregateType : '',
        aggregateId: typeof signals.aggregate === 'string' ? signals.aggregate : '',
      });
      if (result.isErr()) return errorJson(c, 503, 'unavailable', 'the event store is unavailable');
      const { at: resolved, head, selected } = result.value;
      return sseFrames([
        mergeSignals({
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
        return errorJson(c, 503, 'unavailable', 'the event store is unavailable');
      }
      return deps.hub.open('time-travel', (connection) => {
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
        connection.send(RETRY);
        push();
      });
    });
};
