/** @jsxImportSource hono/jsx */
import {
  type EventMetadata,
  eventReader,
  type ProjectionRunner,
  type QueryLimits,
  type StoredEvent,
} from '@ironstar/application';
import { isUuid } from '@ironstar/domain';
import {
  type AppEnv,
  commandProblem,
  type DomainErrorAnswers,
  encodeText,
  errorJson,
  FEED_OPENED,
  isJsonContentType,
  jsonBodyLimit,
  latestPush,
  type Metrics,
  mergeFragments,
  type PageShell,
  type Problem,
  pageShell,
  parseCommandId,
  problem,
  requireAdmin,
  respond,
  type SseHub,
  sseFrames,
  sseStream,
  sseTransport,
} from '@ironstar/web';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { err } from 'neverthrow';
import { AnalyticsPage, QueryError, ResultView, SessionList } from './analytics-view';
import { querySessionAggregate } from './query-session-aggregate';
import type { QuerySessionError } from './query-session-decider';
import type { QuerySessionService, StartQueryError } from './query-session-service';
import type { QuerySessions, QuerySessionView } from './query-sessions-projection';
import { resultCsvStream, resultJsonStream } from './result-stream';
import type { SavedQuery } from './saved-queries';

export const QUERY_BODY_LIMIT = 16 * 1024;
const RECENT = 20;
const OPENED = encodeText(FEED_OPENED);

export type AnalyticsDeps = {
  readonly service: QuerySessionService;
  readonly sessions: ProjectionRunner<QuerySessions>;
  readonly limits: QueryLimits;
  readonly savedQueries: readonly SavedQuery[];
};

/** The QuerySession decider's refusals: a session already started or already over. */
export const querySessionErrors: DomainErrorAnswers<QuerySessionError> = {
  QueryAlreadyStarted: problem('invalid_transition', 'the query session has already started'),
  QueryNotStarted: problem('invalid_transition', 'the query session has not started'),
  QueryAlreadyFinished: (error) =>
    problem('invalid_transition', `the query session has already ${error.status}`),
  InvalidMeasurement: (error) => problem('invalid_transition', error.message),
};

/** How a refused start reads over HTTP: the engine's and the caps' refusals, then the command's. */
export const startProblem = (error: StartQueryError): Problem => {
  switch (error.type) {
    case 'ValidationError':
      return problem('validation', error.message);
    case 'SqlRefused':
      return problem('sql_refused', error.message);
    case 'Busy':
      return problem('busy', error.message, { 'Retry-After': '1' });
    case 'AnalyticsUnavailable':
      return problem('unavailable', error.message, { 'Retry-After': '1' });
    default:
      return commandProblem(error, { noun: 'query session', errors: querySessionErrors });
  }
};

const readSessionEvent = eventReader(querySessionAggregate);

/** Counts query outcomes from the session events as they are stored. */
export const countQueryEvents = (metrics: Metrics, events: readonly StoredEvent[]) => {
  if (events.length > 0) {
    metrics.eventsAppended.inc({ aggregate_type: querySessionAggregate.type }, events.length);
  }
  for (const stored of events) {
    const event = readSessionEvent(stored);
    if (event.isErr()) continue;
    if (event.value.type === 'QueryFailed') metrics.analyticsQueries.inc({ outcome: 'failed' });
    if (event.value.type === 'QueryCompleted') {
      metrics.analyticsQueries.inc({ outcome: event.value.data.cached ? 'cached' : 'completed' });
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

/** `/analytics` and `/api/analytics/*`: query sessions over the DuckDB projection. */
export const analyticsRoutes = (
  deps: AnalyticsDeps & {
    hub: SseHub;
    metrics: Metrics;
    shell: PageShell;
    compression?: boolean;
  },
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
    actor: c.get('user').id,
  });

  /** Starts a session; an Idempotency-Key makes a resend answer with the first one's session. */
  const start = async (c: Context<AppEnv>, body: Record<string, unknown>) => {
    const commandId = parseCommandId(c.req.header('idempotency-key'), undefined);
    if (commandId.isErr()) {
      deps.metrics.analyticsQueries.inc({ outcome: 'refused' });
      return err(commandId.error);
    }
    const started = await deps.service.start(
      { sql: body.sql, saved: body.saved },
      metadataOf(c),
      clientOf(c),
      commandId.value,
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
      `attachment; filename="query-${isUuid(id) ? id : 'result'}.${format}"`,
    );
    c.header('Content-Type', format === 'json' ? 'application/json' : 'text/csv; charset=utf-8');
    return c.body(format === 'json' ? resultJsonStream(result) : resultCsvStream(result));
  };

  const limit = jsonBodyLimit({
    maxSize: QUERY_BODY_LIMIT,
    onError: (c) =>
      errorJson(c, 'payload_too_large', `query bodies are limited to ${QUERY_BODY_LIMIT} bytes`),
  });

  // Analytics runs SQL over every event: admins only.
  const app = new Hono<AppEnv>();
  for (const path of ['/analytics', '/analytics/*', '/api/analytics/*'])
    app.use(path, requireAdmin);
  return app
    .get('/analytics', (c) => {
      const id = c.req.query('session');
      const selected = id ? deps.sessions.state().get(id) : recent()[0];
      return c.html(
        html`<!DOCTYPE html>${(
          <AnalyticsPage
            shell={pageShell(c, deps.shell)}
            sessions={recent()}
            selected={selected}
            result={selected ? deps.service.result(selected.id) : undefined}
            limits={deps.limits}
            savedQueries={deps.savedQueries}
          />
        )}`,
      );
    })
    .post('/api/analytics/queries', limit, async (c) => {
      if (!isJsonContentType(c.req.header('content-type'))) {
        return errorJson(c, 'unsupported_media_type', 'send the query as application/json');
      }
      const body = await readBody(c);
      if (!body) return errorJson(c, 'malformed', 'body is not a JSON object');
      const started = await start(c, body);
      if (started.isErr()) return respond(c, startProblem(started.error));
      const { id, sequence, replayed } = started.value;
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ id, sequence }, 202);
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
      if (!isJsonContentType(c.req.header('content-type'))) {
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
          mergeFragments(String(<QueryError message={startProblem(started.error).message} />)),
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
      if (!isUuid(id)) return errorJson(c, 'validation', 'id must be a UUID');
      const session = deps.sessions.state().get(id);
      return sseFrames([
        mergeFragments(String(<ResultView session={session} result={deps.service.result(id)} />)),
      ]);
    })
    .get('/analytics/feed', (c) =>
      deps.hub.open(
        'analytics',
        (connection) => {
          const push = latestPush(connection, deps.sessions.position, listFrame);
          const unsubscribe = deps.sessions.onChange(push);
          connection.onClose(unsubscribe);
          connection.send(OPENED);
          push();
        },
        sseTransport(c, deps.compression),
      ),
    );
};
