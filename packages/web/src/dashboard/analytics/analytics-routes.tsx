/** @jsxImportSource hono/jsx */
import type {
  EventMetadata,
  ProjectionRunner,
  QueryLimits,
  QuerySessionService,
  QuerySessions,
  QuerySessionView,
  StartQueryError,
  StoredEvent,
} from '@ironstar/application';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../../app-env';
import { mergeFragments } from '../../datastar/datastar-wire';
import { type ErrorCode, errorJson, respond } from '../../http-errors';
import type { Metrics } from '../../metrics';
import type { PageShell } from '../../pages/layout';
import { latestPush } from '../../sse/latest-push';
import { encodeSseMessage } from '../../sse/sse-frame';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseFrames, sseStream } from '../../sse/sse-response';
import { AnalyticsPage, QueryError, ResultView, SessionList } from './analytics-view';
import { resultCsvStream, resultJsonStream } from './result-stream';

export const QUERY_BODY_LIMIT = 16 * 1024;
const RECENT = 20;
const RETRY = encodeText(encodeSseMessage({ retry: 1000 }));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type AnalyticsDeps = {
  readonly service: QuerySessionService;
  readonly sessions: ProjectionRunner<QuerySessions>;
  readonly limits: QueryLimits;
};

/** How a refused start reads over HTTP, in this one place. */
const failure = (
  error: StartQueryError,
): { status: ContentfulStatusCode; code: ErrorCode; message: string } => {
  switch (error.type) {
    case 'ValidationError':
      return { status: 400, code: 'validation', message: error.message };
    case 'SqlRefused':
      return { status: 422, code: 'sql_refused', message: error.message };
    case 'Busy':
      return { status: 429, code: 'busy', message: error.message };
    case 'AnalyticsUnavailable':
      return { status: 503, code: 'unavailable', message: error.message };
    case 'Rejected':
      return { status: 409, code: 'invalid_transition', message: error.error.type };
    case 'Conflict':
      return { status: 409, code: 'conflict', message: error.message };
    case 'PreconditionFailed':
      return { status: 412, code: 'precondition_failed', message: 'the session moved on' };
    case 'IdempotencyMismatch':
      return {
        status: 422,
        code: 'idempotency_key_reused',
        message: 'this key was already used for a different command',
      };
    case 'StoreUnavailable':
      return {
        status: 503,
        code: 'unavailable',
        message: 'the event store is unavailable; nothing was stored',
      };
  }
};

/** Counts query outcomes from the session events as they are stored. */
export const countQueryEvents = (metrics: Metrics, events: readonly StoredEvent[]) => {
  if (events.length > 0)
    metrics.eventsAppended.inc({ aggregate_type: 'QuerySession' }, events.length);
  for (const event of events) {
    if (event.eventType === 'QueryFailed') metrics.analyticsQueries.inc({ outcome: 'failed' });
    if (event.eventType === 'QueryCompleted') {
      const cached = (event.payload as { cached?: boolean }).cached === true;
      metrics.analyticsQueries.inc({ outcome: cached ? 'cached' : 'completed' });
    }
  }
};

const readBody = async (c: Context): Promise<Record<string, unknown> | undefined> => {
  try {
    const body: unknown = await c.req.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Who is asking, for the per-client cap: the socket's address (absent under app.request()). */
const clientOf = (c: Context<AppEnv>) => c.env?.incoming?.socket.remoteAddress ?? 'local';

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType);

/** `/analytics` and `/api/analytics/*`: query sessions over the DuckDB projection. */
export const analyticsRoutes = (
  deps: AnalyticsDeps & { hub: SseHub; metrics: Metrics; shell: PageShell },
) => {
  const recent = () => [...deps.sessions.state().values()].slice(-RECENT).reverse();

  /** Resolves with the session once it is no longer executing (or as it is at the deadline). */
  const settled = (id: string, timeoutMs: number) =>
    new Promise<QuerySessionView | undefined>((resolve) => {
      const now = deps.sessions.state().get(id);
      if (now && now.status !== 'executing') return resolve(now);
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(deps.sessions.state().get(id));
      }, timeoutMs);
      const unsubscribe = deps.sessions.onChange((state) => {
        const session = state.get(id);
        if (session && session.status !== 'executing') {
          clearTimeout(timer);
          unsubscribe();
          resolve(session);
        }
      });
    });

  const metadataOf = (c: Context<AppEnv>): EventMetadata => ({
    requestId: c.get('requestId'),
    correlationId: c.get('correlationId'),
  });

  const start = async (c: Context<AppEnv>, body: Record<string, unknown>) => {
    const started = await deps.service.start(
      { sql: body.sql, saved: body.saved },
      metadataOf(c),
      clientOf(c),
    );
    if (started.isErr()) {
      const outcome =
        started.error.type === 'Busy'
          ? 'busy'
          : started.error.type === 'SqlRefused' || started.error.type === 'ValidationError'
            ? 'refused'
            : 'unavailable';
      deps.metrics.analyticsQueries.inc({ outcome });
    }
    return started;
  };

  // Sessions are in the projection once their QueryStarted has come back over the bus.
  const waitMs = () => deps.limits.timeoutMs + 5000;

  let cached: { position: number; bytes: Uint8Array } | undefined;
  const listFrame = () => {
    const position = deps.sessions.position();
    if (cached?.position !== position) {
      cached = {
        position,
        bytes: encodeText(
          mergeFragments(String(<SessionList sessions={recent()} />), { id: position }),
        ),
      };
    }
    return cached.bytes;
  };

  /** The whole kept result (at most ANALYTICS_MAX_RESULT_BYTES of rows) as a file. */
  const download = (c: Context<AppEnv>, format: 'csv' | 'json') => {
    const id = c.req.param('id') ?? '';
    const result = deps.service.result(id);
    if (!result) return errorJson(c, 'not_found', 'no kept result for that session');
    c.header('Cache-Control', 'no-store');
    c.header(
      'Content-Disposition',
      `attachment; filename="query-${UUID.test(id) ? id : 'result'}.${format}"`,
    );
    c.header('Content-Type', format === 'json' ? 'application/json' : 'text/csv; charset=utf-8');
    return c.body(format === 'json' ? resultJsonStream(result) : resultCsvStream(result));
  };

  const limit = bodyLimit({
    maxSize: QUERY_BODY_LIMIT,
    onError: (c) =>
      errorJson(c, 'payload_too_large', `query bodies are limited to ${QUERY_BODY_LIMIT} bytes`),
  });

  return new Hono<AppEnv>()
    .get('/analytics', (c) => {
      const id = c.req.query('session');
      const selected = id ? deps.sessions.state().get(id) : recent()[0];
      return c.html(
        html`<!DOCTYPE html>${(
          <AnalyticsPage
            shell={deps.shell}
            sessions={recent()}
            selected={selected}
            result={selected ? deps.service.result(selected.id) : undefined}
            limits={deps.limits}
          />
        )}`,
      );
    })
    .post('/api/analytics/queries', limit, async (c) => {
      if (!isJson(c.req.header('content-type'))) {
        return errorJson(c, 'unsupported_media_type', 'send the query as application/json');
      }
      const body = await readBody(c);
      if (!body) return errorJson(c, 'malformed', 'body is not a JSON object');
      const started = await start(c, body);
      if (started.isErr()) {
        const { status, code, message } = failure(started.error);
        if (status === 429 || status === 503) c.header('Retry-After', '1');
        return respond(c, { status, code, message });
      }
      return c.json({ id: started.value.id, sequence: started.value.sequence }, 202);
    })
    .get('/api/analytics/sessions/:id', (c) => {
      const session = deps.sessions.state().get(c.req.param('id'));
      if (!session) return errorJson(c, 'not_found', 'no query session with that id');
      const result = deps.service.result(session.id);
      if (!result) return c.json({ session, result: null });
      // Rows streamed a piece at a time: a 4 MB result never holds the event loop.
      const before = `{"session":${JSON.stringify(session)},"result":`;
      c.header('Content-Type', 'application/json');
      return c.body(resultJsonStream(result, before, '}'));
    })
    .get('/api/analytics/sessions/:id/result.csv', (c) => download(c, 'csv'))
    .get('/api/analytics/sessions/:id/result.json', (c) => download(c, 'json'))
    .post('/analytics/run', limit, async (c) => {
      // Datastar posts JSON; anything else (a cross-site form, say) is not ours.
      if (!isJson(c.req.header('content-type'))) {
        return errorJson(c, 'unsupported_media_type', 'send the signals as application/json');
      }
      const body = await readBody(c);
      if (!body)
        return sseFrames([
          mergeFragments(String(<QueryError message="the request was not JSON" />)),
        ]);
      const started = await start(c, body);
      if (started.isErr()) {
        return sseFrames([
          mergeFragments(String(<QueryError message={failure(started.error).message} />)),
        ]);
      }
      const { id } = started.value;
      // Streamed: the running state at once, the outcome when the session ends.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const send = (text: string) => controller.enqueue(encodeText(text));
          const running = deps.sessions.state().get(id);
          send(mergeFragments(String(<QueryError />)));
          if (running)
            send(mergeFragments(String(<ResultView session={running} result={undefined} />)));
          void settled(id, waitMs()).then((session) => {
            try {
              send(
                mergeFragments(
                  String(<ResultView session={session} result={deps.service.result(id)} />),
                ),
              );
              controller.close();
            } catch {
              // the client left; nothing to tell it
            }
          });
        },
      });
      return sseStream(stream);
    })
    .get('/analytics/sessions/:id/view', (c) => {
      const id = c.req.param('id');
      if (!UUID.test(id)) return errorJson(c, 'validation', 'id must be a UUID');
      const session = deps.sessions.state().get(id);
      return sseFrames([
        mergeFragments(String(<ResultView session={session} result={deps.service.result(id)} />)),
      ]);
    })
    .get('/analytics/feed', () =>
      deps.hub.open('analytics', (connection) => {
        const push = latestPush(connection, deps.sessions.position, listFrame);
        const unsubscribe = deps.sessions.onChange(push);
        connection.onClose(unsubscribe);
        connection.send(RETRY);
        push();
      }),
    );
};
