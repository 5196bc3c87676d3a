/** @jsxImportSource hono/jsx */
import type { EventStore, ProcessRunner } from '@ironstar/application';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { errorsAsSignals } from '../../api/command-routes';
import type { AppEnv } from '../../app-env';
import { isJsonContentType, jsonBodyLimit } from '../../boundary/boundary-guard';
import { mergeFragments } from '../../datastar/datastar-wire';
import { errorJson, respond, storeUnavailable } from '../../http-errors';
import type { PageShell } from '../../pages/layout';
import { pageShell } from '../../pages/layout';
import { encodeText, type SseConnection, type SseHub } from '../../sse/sse-hub';
import { sseTransport } from '../../sse/sse-transport';
import { FEED_OPENED } from '../../ui/live';
import { type ManagerOverview, overviewOf } from './processes-overview';
import { PROCESSES_FEED, PROCESSES_PAGE, ProcessesPage, ProcessesView } from './processes-view';

const OPENED = encodeText(FEED_OPENED);
/** A retry body is `{"id": "<command id>"}` (Datastar may send its other signals beside). */
const RETRY_BODY_LIMIT = 4 * 1024;
const MAX_ID_LENGTH = 512;

export type ProcessesDeps = {
  readonly runners: readonly ProcessRunner[];
  readonly store: Pick<EventStore, 'head'>;
  readonly hub: SseHub;
  readonly shell: PageShell;
  /** How often the live view is refreshed while someone watches. */
  readonly refreshMs?: number;
  /** Compress the feed for clients that accept it (SSE_COMPRESSION). */
  readonly compression?: boolean;
};

/**
 * `/processes` (page + live feed), `GET /api/processes` and `POST /api/processes/:manager/retry`.
 * The feed renders the view once per refresh for every watcher, and sends it only when it
 * changed: the cost does not grow with the number of watchers or of instances.
 */
export const processesRoutes = (deps: ProcessesDeps) => {
  const runners = new Map(deps.runners.map((runner) => [runner.name, runner]));
  const read = () => overviewOf(deps.runners, deps.store);
  const watchers = new Set<SseConnection>();
  let last: { html: string; bytes: Uint8Array } | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let rendering = false;

  const render = async () => {
    const seen = await read();
    const view = seen.isOk() ? (
      <ProcessesView managers={seen.value} />
    ) : (
      <ProcessesView managers={[]} error={seen.error} />
    );
    const text = String(view);
    if (last?.html !== text) last = { html: text, bytes: encodeText(mergeFragments(text)) };
    return last;
  };
  const refresh = async () => {
    if (rendering) return;
    rendering = true;
    try {
      const before = last;
      const frame = await render();
      if (frame === before) return;
      for (const connection of watchers) {
        // A client that has not taken the last frame gets the next one instead.
        if (connection.writable()) connection.send(frame.bytes);
      }
    } finally {
      rendering = false;
    }
  };
  const watch = (connection: SseConnection) => {
    watchers.add(connection);
    if (!timer) {
      timer = setInterval(() => void refresh(), deps.refreshMs ?? 500);
      timer.unref?.();
    }
    connection.onClose(() => {
      watchers.delete(connection);
      if (watchers.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    });
  };

  return new Hono<AppEnv>()
    .get(PROCESSES_PAGE, async (c) => {
      const seen = await read();
      const managers: readonly ManagerOverview[] = seen.isOk() ? seen.value : [];
      return c.html(
        html`<!DOCTYPE html>${(
          <ProcessesPage
            shell={pageShell(c, deps.shell)}
            managers={managers}
            error={seen.isErr() ? seen.error : undefined}
          />
        )}`,
      );
    })
    .get(PROCESSES_FEED, (c) =>
      deps.hub.open(
        'processes',
        (connection) => {
          connection.send(OPENED);
          watch(connection);
          void render().then((frame) => connection.send(frame.bytes));
        },
        sseTransport(c, deps.compression),
      ),
    )
    .get('/api/processes', async (c) => {
      const seen = await read();
      if (seen.isErr()) return respond(c, storeUnavailable());
      return c.json({ managers: seen.value });
    })
    .post(
      '/api/processes/:manager/retry',
      errorsAsSignals,
      async (c, next) => {
        if (!runners.has(c.req.param('manager'))) {
          return errorJson(c, 'not_found', 'no process manager by that name');
        }
        if (!isJsonContentType(c.req.header('content-type'))) {
          return errorJson(
            c,
            'unsupported_media_type',
            'send {"id": "<command id>"} as application/json',
          );
        }
        await next();
      },
      jsonBodyLimit({
        maxSize: RETRY_BODY_LIMIT,
        onError: (c) =>
          errorJson(
            c,
            'payload_too_large',
            `retry bodies are limited to ${RETRY_BODY_LIMIT} bytes`,
          ),
      }),
      async (c) => {
        const runner = runners.get(c.req.param('manager'));
        if (!runner) return errorJson(c, 'not_found', 'no process manager by that name');
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return errorJson(c, 'malformed', 'body is not valid JSON');
        }
        const id = (body as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
          return errorJson(
            c,
            'validation',
            `id must be a command id of 1-${MAX_ID_LENGTH} characters`,
          );
        }
        const retried = await runner.retry(id);
        if (retried.isErr()) return respond(c, storeUnavailable());
        if (!retried.value) return errorJson(c, 'not_found', 'no parked command with that id');
        void refresh();
        return c.json({ id, status: 'pending' }, 202);
      },
    );
};
