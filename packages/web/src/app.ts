import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventBus, EventStore, HeadSource, ProcessRunner } from '@ironstar/application';
import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { commandRoutes } from './api/command-routes';
import { readRoutes } from './api/read-routes';
import type { AppEnv } from './app-env';
import type { CsrfPolicy } from './auth/csrf';
import { bearerOf, localIdentity, requireAdmin, sameSecret } from './auth/identity';
import { createRateLimiter } from './auth/rate-limit';
import { isAdmin } from './auth/user';
import { boundaryGuard } from './boundary/boundary-guard';
import { createHostPolicy, LOOPBACK_HOSTS } from './boundary/host-policy';
import { securityHeaders } from './boundary/security-headers';
import { dashboardRoutes } from './dashboard/dashboard-routes';
import type { EventCatalog } from './dashboard/event-log/event-log-view';
import type { MetricsSampler } from './dashboard/system/metrics-sampler';
import type { PastViewAt } from './dashboard/time-travel/time-travel-routes';
import { DATASTAR_SCRIPT_PATH } from './datastar/datastar-wire';
import { createEventFanout } from './feeds/event-fanout';
import { eventStreamFrame, eventStreamRoutes } from './feeds/event-stream';
import { errorJson, HttpError, respond, storeUnavailable } from './http-errors';
import type { Metrics } from './metrics';
import type { CommandEndpoint, ReadModelStatus } from './module';
import type { PageShell } from './pages/layout';
import type { SseHub } from './sse/sse-hub';

export type AppDeps = {
  /** The store as readers see it (through the modules' upcasters). */
  readonly store: EventStore;
  readonly bus: EventBus;
  readonly hub: SseHub;
  readonly metrics: Metrics;
  /** The registered modules' command routes, by their name. */
  readonly commands: readonly CommandEndpoint[];
  /** The registered modules' own routes (pages, feeds, read APIs). */
  readonly routes: readonly Hono<AppEnv>[];
  readonly shell: PageShell;
  /** Aggregate and event types the event log suggests. */
  readonly catalog: EventCatalog;
  /** Read models time travel rebuilds. */
  readonly pastViews: readonly PastViewAt[];
  /** The aggregate types those read models follow (time travel steps between them). */
  readonly travelTypes?: readonly string[];
  /** Every read model /readyz waits for. */
  readonly readModels: () => readonly ReadModelStatus[];
  /** Sets the position, lag and store head gauges before /metrics is read. */
  readonly recordPositions: () => Promise<void>;
  /** Live events a /api/events/stream subscriber may hold before it reads the store instead. */
  readonly subscriberBuffer?: number;
  /** Store heads now and then, so subscribers find events the bus lost. */
  readonly heads?: HeadSource;
  /** Compress SSE feeds (brotli or gzip, flushed per event) when the client accepts it. */
  readonly compression?: boolean;
  /** One line per request, with its request and correlation ids. */
  readonly logRequest?: (line: RequestLog) => void;
  readonly onError?: (error: unknown, requestId: string | undefined) => void;
  /** Samples metrics for the /system page (absent: no /system). */
  readonly sampler?: MetricsSampler;
  /** The process managers' runners, for /processes and /api/processes. */
  readonly processes?: readonly ProcessRunner[];
  /** Host names the server answers to, or '*' (default: localhost, 127.0.0.1 and [::1]). */
  readonly allowedHosts?: readonly string[] | '*';
  /** Who each request is (default: local mode, every request the local admin). */
  readonly identity?: MiddlewareHandler<AppEnv>;
  /** With sessions: state-changing requests carrying the cookie need our Origin. */
  readonly csrf?: CsrfPolicy;
  /** Commands one user may send per minute (RATE_LIMIT_PER_MINUTE; default 600). */
  readonly rateLimitPerMinute?: number;
  /** A bearer token that may read /metrics besides an admin (METRICS_TOKEN). */
  readonly metricsToken?: string;
};

/** The framework's admin-only routes: dashboards and the event and process APIs. */
export const ADMIN_PATHS = [
  '/events',
  '/events/*',
  '/time-travel',
  '/time-travel/*',
  '/system',
  '/system/*',
  '/state-machines',
  '/state-machines/*',
  '/processes',
  '/processes/*',
  '/api/events',
  '/api/events/*',
  '/api/processes',
  '/api/processes/*',
] as const;

// pnpm links every dependency into the package's own node_modules.
const DATASTAR_BUNDLE = fileURLToPath(
  new URL('../node_modules/@starfederation/datastar/dist/datastar.js', import.meta.url),
);

const SAFE_ID = /^[\w.:-]{1,128}$/;

/** The whole HTTP surface: pages, feeds, JSON API, health and metrics. */
export const createApp = (deps: AppDeps) => {
  const datastar = readFileSync(DATASTAR_BUNDLE);
  const app = new Hono<AppEnv>();

  app.use(securityHeaders());
  app.use(requestId({ limitLength: 128 }));
  if (deps.logRequest) {
    const log = deps.logRequest;
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      log({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        requestId: c.get('requestId'),
        correlationId: c.get('correlationId'),
      });
    });
  }
  // After the request log, so refused requests are logged too; before any route.
  app.use(boundaryGuard(createHostPolicy(deps.allowedHosts ?? LOOPBACK_HOSTS), deps.csrf));
  app.use(async (c, next) => {
    const incoming = c.req.header('x-correlation-id');
    const correlationId = incoming && SAFE_ID.test(incoming) ? incoming : c.get('requestId');
    c.set('correlationId', correlationId);
    c.header('X-Correlation-Id', correlationId);
    await next();
  });
  // Identity before any route: who the request is, or 401 / a redirect to sign in.
  app.use(deps.identity ?? localIdentity);
  for (const path of ADMIN_PATHS) app.use(path, requireAdmin);

  app.get(DATASTAR_SCRIPT_PATH, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(datastar);
  });

  app.get('/api/me', (c) => {
    const { id, name, roles } = c.get('user');
    return c.json({ user: { id, name, roles } });
  });
  app.route(
    '/',
    commandRoutes({
      ...deps,
      limiter: createRateLimiter({ perMinute: deps.rateLimitPerMinute ?? 600 }),
    }),
  );
  app.route('/', readRoutes(deps));
  for (const routes of deps.routes) app.route('/', routes);
  // One shared reader for every event feed: the API stream and the dashboard's feeds.
  const fanout = createEventFanout({
    store: deps.store,
    bus: deps.bus,
    frameOf: eventStreamFrame,
    ...(deps.heads ? { heads: deps.heads } : {}),
    ...(deps.subscriberBuffer === undefined ? {} : { bufferSize: deps.subscriberBuffer }),
    onFellBehind: () => deps.metrics.subscribersFellBehind.inc({ subscriber: 'events-stream' }),
    onCaughtUp: () => deps.metrics.subscribersCaughtUp.inc({ subscriber: 'events-stream' }),
    onStoreRead: () => deps.metrics.feedStoreReads.inc(),
  });
  app.route('/', eventStreamRoutes({ ...deps, fanout }));
  app.route('/', dashboardRoutes({ ...deps, fanout }));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Ready when the read model has caught up with the store: before that, pages would be stale.
  app.get('/readyz', async (c) => {
    const head = await deps.store.head();
    if (head.isErr()) return respond(c, storeUnavailable());
    const readModels = deps.readModels();
    const behind = readModels.filter((m) => m.position() < head.value);
    if (behind.length > 0) {
      const detail = behind.map((m) => `${m.name} at ${m.position()}`).join(', ');
      return errorJson(c, 'unavailable', `catching up to ${head.value}: ${detail}`);
    }
    const position = Math.min(head.value, ...readModels.map((m) => m.position()));
    return c.json({ status: 'ready', position, head: head.value });
  });
  // An admin, or a scraper with METRICS_TOKEN (compared in constant time).
  app.get('/metrics', async (c) => {
    const bearer = bearerOf(c);
    const scraper =
      deps.metricsToken !== undefined &&
      bearer !== undefined &&
      sameSecret(bearer, deps.metricsToken);
    if (!scraper) {
      const user = c.get('user');
      if (user.id === 'anonymous')
        return errorJson(c, 'unauthorized', 'sign in or send METRICS_TOKEN');
      if (!isAdmin(user)) return errorJson(c, 'forbidden', 'this needs the admin role');
    }
    await deps.recordPositions();
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.notFound((c) => errorJson(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof HttpError) return respond(c, error.problem);
    deps.onError?.(error, c.get('requestId'));
    return errorJson(c, 'internal', 'internal error');
  });
  return app;
};

export type App = ReturnType<typeof createApp>;

export type RequestLog = {
  method: string;
  path: string;
  status: number;
  ms: number;
  requestId: string;
  correlationId: string;
};
