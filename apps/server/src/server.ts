import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  createHeadWatcher,
  createProjectionRunners,
  createQueryCache,
  createQuerySessionService,
  createTodoService,
  querySessionsProjection,
  todoListProjection,
  withUpcasters,
} from '@ironstar/application';
import { todoUpcasters } from '@ironstar/domain';
import {
  createDuckDbAnalytics,
  getLibsqlEventStore,
  getZeroMqEventBus,
} from '@ironstar/infrastructure';
import {
  countQueryEvents,
  createApp,
  createMetrics,
  createMetricsSampler,
  createSseHub,
} from '@ironstar/web';
import type { Logger } from 'pino';
import type { Config } from './config';
import { listen } from './http-listener';

/** Probes and scrapes, logged only at debug. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Bump when TodoState changes shape: older snapshots are then ignored and rebuilt. */
const TODO_STATE_SCHEMA_VERSION = 1;

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  /** Graceful stop: no new connections, in-flight commands finish, feeds told to reconnect. */
  close(): Promise<void>;
};

/** Wires the store, bus, projection and web app together and listens. The composition root. */
export const startServer = async (config: Config, logger: Logger): Promise<RunningServer> => {
  // Whatever has been opened is closed again if a later step fails, so the process can exit.
  const opened: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const close of opened.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    return await wire(config, logger, opened);
  } catch (error) {
    await undo();
    throw error;
  }
};

const wire = async (
  config: Config,
  logger: Logger,
  opened: Array<() => Promise<void>>,
): Promise<RunningServer> => {
  if (config.databaseUrl.startsWith('file:')) {
    const path = config.databaseUrl.slice('file:'.length).split('?')[0] ?? '';
    if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  const rawStore = await getLibsqlEventStore({
    url: config.databaseUrl,
    ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}),
    synchronous: config.synchronous,
    busyTimeoutMs: config.busyTimeoutMs,
    ...(config.maxPageCount > 0 ? { maxPageCount: config.maxPageCount } : {}),
  });
  opened.push(() => rawStore.close());
  // Every reader sees events at their current version; stored rows are never rewritten.
  const store = withUpcasters(rawStore, todoUpcasters);
  const metrics = createMetrics();
  const bus = await getZeroMqEventBus({
    ...(config.busProxy ? { proxy: config.busProxy } : { endpoint: config.busEndpoint }),
    onError: (error) => logger.warn({ err: error }, 'event bus'),
    onTraffic: (direction, messages) => metrics.busMessages.inc({ direction }, messages),
  });
  opened.push(() => bus.close());
  const heads = createHeadWatcher({ store, intervalMs: config.storePollMs });
  opened.push(async () => heads.stop());
  // The in-memory read models share one catch-up subscription: a rebuild reads the store once.
  const [todoList, sessions] = createProjectionRunners(
    {
      store,
      bus,
      heads,
      onFellBehind: () => metrics.subscribersFellBehind.inc({ subscriber: 'projections' }),
      ...(config.projectionSnapshotEvery > 0
        ? {
            snapshots: {
              store: rawStore.projectionSnapshots,
              every: config.projectionSnapshotEvery,
            },
          }
        : {}),
      onError: (error) => logger.error({ err: error }, 'projection error'),
    },
    [todoListProjection, querySessionsProjection] as const,
  );
  opened.push(() => todoList.stop());
  const rebuildStarted = Date.now();
  await todoList.start();
  logger.info(
    {
      todoList: todoList.position(),
      querySessions: sessions.position(),
      ms: Date.now() - rebuildStarted,
    },
    'projections rebuilt',
  );

  const hub = createSseHub({
    keepAliveMs: config.keepAliveMs,
    maxConnections: config.sseMaxConnections,
    onRefused: (feed) => metrics.sseRefused.inc({ feed }),
    onCountChange: (feed, delta) => metrics.sseConnections.inc({ feed }, delta),
    onBytes: (feed, encoded, sent) => {
      if (encoded > 0) metrics.feedBytes.inc({ feed, stage: 'encoded' }, encoded);
      if (sent > 0) metrics.feedBytes.inc({ feed, stage: 'sent' }, sent);
    },
  });
  opened.push(async () => hub.stop());

  // The dashboard's analytics: a DuckDB projection of every event, query sessions over it.
  // DuckDB runs sealed in its own process (see duckdb-analytics.ts), killed and rebuilt at need.
  const analytics = await createDuckDbAnalytics({
    store,
    bus,
    heads,
    memoryLimitBytes: config.analyticsMemoryBytes,
    tempMaxBytes: config.analyticsTempMaxBytes,
    threads: config.analyticsThreads,
    maxConcurrentQueries: config.analyticsMaxConcurrent,
    onFellBehind: () => metrics.subscribersFellBehind.inc({ subscriber: 'analytics' }),
    onError: (error) => logger.error({ err: error }, 'analytics projection error'),
    onRestart: (reason) => logger.error({ reason }, 'analytics engine restarted'),
  });
  opened.push(() => analytics.close());
  const cache = createQueryCache({
    ttlMs: config.analyticsCacheTtlMs,
    maxBytes: config.analyticsCacheMaxBytes,
  });
  analytics.onApplied((types) => cache.invalidate(types));
  const limits = {
    timeoutMs: config.analyticsQueryTimeoutMs,
    maxRows: config.analyticsMaxRows,
    maxBytes: config.analyticsMaxResultBytes,
  };
  const queries = createQuerySessionService({
    store,
    bus,
    engine: analytics,
    cache,
    limits,
    maxInFlight: config.analyticsMaxConcurrent,
    maxPerClient: config.analyticsMaxPerClient,
    keepResultBytes: config.analyticsCacheMaxBytes,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
    onEvents: (events) => countQueryEvents(metrics, events),
    onError: (error) => logger.warn({ err: error }, 'query session could not be recorded'),
  });
  // At shutdown running queries are stopped, and their sessions recorded as failed, first.
  opened.push(async () => {
    analytics.interruptAll();
    await queries.drain();
  });
  // Sessions left executing by a process that died end as failed, now and once a minute.
  const sweep = () =>
    queries
      .failAbandoned([...sessions.state().values()].filter((s) => s.status === 'executing'))
      .then((failed) => failed > 0 && logger.warn({ failed }, 'abandoned query sessions failed'))
      .catch((error: unknown) => logger.warn({ err: error }, 'abandoned-session sweep failed'));
  await sweep();
  const sweeper = setInterval(() => void sweep(), 60_000);
  sweeper.unref();
  opened.push(async () => clearInterval(sweeper));
  const sampler = createMetricsSampler({
    registry: metrics.registry,
    beforeSample: async () => {
      metrics.projectionPosition.set({ projection: 'todo-list' }, todoList.position());
      metrics.projectionPosition.set({ projection: 'query-sessions' }, sessions.position());
      metrics.projectionPosition.set({ projection: 'analytics' }, analytics.position());
      const head = await store.head();
      if (head.isOk()) {
        metrics.storeHead.set(head.value);
        metrics.projectionLag.set(
          { projection: 'todo-list' },
          Math.max(0, head.value - todoList.position()),
        );
      }
    },
    onError: (error) => logger.warn({ err: error }, 'metrics sample failed'),
  });
  sampler.start();
  opened.push(async () => sampler.stop());
  const todos = createTodoService({
    store,
    bus,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
    ...(config.todoSnapshotEvery > 0
      ? {
          snapshots: {
            store: rawStore.snapshots,
            every: config.todoSnapshotEvery,
            schemaVersion: TODO_STATE_SCHEMA_VERSION,
            onError: (error: unknown) => logger.warn({ err: error }, 'snapshot not saved'),
          },
        }
      : {}),
    onPublishError: (error) =>
      logger.warn({ err: error }, 'publish failed; readers will fill the gap from the store'),
  });
  const app = createApp({
    store,
    bus,
    todos,
    todoList,
    hub,
    metrics,
    subscriberBuffer: config.subscriberBuffer,
    heads,
    compression: config.sseCompression,
    logRequest: (line) => {
      if (line.status >= 500) logger.error(line, 'request');
      else if (QUIET_PATHS.has(line.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    },
    sampler,
    analytics: { service: queries, sessions, limits },
    readiness: [
      { name: 'query-sessions', position: () => sessions.position() },
      // No engine process (starting, or killed and restarting): not ready, even at head 0.
      { name: 'analytics', position: () => (analytics.pid() ? analytics.position() : -1) },
    ],
    onError: (error, requestId) => logger.error({ err: error, requestId }, 'request failed'),
    allowedHosts: config.allowedHosts,
    todoPageSize: config.todoPageSize,
  });

  const server = await listen(app.fetch, config);
  let draining = false;
  // While draining, each response is the last on its connection, so keep-alive clients let go.
  server.on('request', (_req, res) => {
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
  });
  // The analytics read model catches up once the server listens: the app serves (and /readyz
  // says when every projection has caught up) while DuckDB is still loading a large store.
  const analyticsStarted = Date.now();
  void analytics.start().then(
    () =>
      logger.info(
        {
          position: analytics.position(),
          ms: Date.now() - analyticsStarted,
          enginePid: analytics.pid(),
        },
        'analytics projection rebuilt',
      ),
    (error: unknown) => logger.error({ err: error }, 'analytics projection failed to start'),
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    { url, database: config.databaseUrl, bus: bus.endpoint, settings: rawStore.settings },
    'ironstar listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Erroring feeds (not ending them) makes browsers reconnect to the next server.
        hub.abortAll();
        const http = server as Server;
        http.closeIdleConnections();
        const idle = setInterval(() => http.closeIdleConnections(), 50);
        // A client that never pauses is cut off after a grace period.
        const cutoff = setTimeout(() => http.closeAllConnections(), 5000);
        await closed; // in-flight commands have been answered
        clearInterval(idle);
        clearTimeout(cutoff);
        for (const close of opened.splice(0).reverse()) await close();
        logger.info('ironstar stopped');
      })();
      return closing;
    },
  };
};
