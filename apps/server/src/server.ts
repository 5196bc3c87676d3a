import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  createHeadWatcher,
  createProjectionRunner,
  createQueryCache,
  createQuerySessionService,
  querySessionsProjection,
} from '@ironstar/application';
import {
  createDuckDbAnalytics,
  getLibsqlEventStore,
  getZeroMqEventBus,
} from '@ironstar/infrastructure';
import {
  countQueryEvents,
  createMetrics,
  createRuntime,
  readerBus,
  readerStore,
} from '@ironstar/web';
import type { Logger } from 'pino';
import type { Config } from './config';
import { listen } from './http-listener';
import { appModules } from './modules';

/** Probes and scrapes, logged only at debug. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  /** Graceful stop: no new connections, in-flight commands finish, feeds told to reconnect. */
  close(): Promise<void>;
};

/** Opens the adapters, hands them to the runtime with the app's modules, and listens. */
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
  const modules = appModules(config);
  // Every reader sees events at their current version; stored rows are never rewritten.
  const store = readerStore(rawStore, modules);
  const metrics = createMetrics();
  const rawBus = await getZeroMqEventBus({
    ...(config.busProxy ? { proxy: config.busProxy } : { endpoint: config.busEndpoint }),
    onError: (error) => logger.warn({ err: error }, 'event bus'),
    onTraffic: (direction, messages) => metrics.busMessages.inc({ direction }, messages),
  });
  opened.push(() => rawBus.close());
  const bus = readerBus(rawBus, modules);
  const heads = createHeadWatcher({ store, intervalMs: config.storePollMs });
  opened.push(async () => heads.stop());

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
  const sessions = createProjectionRunner({
    store,
    bus,
    heads,
    projection: querySessionsProjection,
  });
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

  const runtime = createRuntime(
    {
      store: rawStore,
      bus: rawBus,
      heads,
      snapshots: rawStore.snapshots,
      projectionSnapshots: rawStore.projectionSnapshots,
      log: logger,
      metrics,
    },
    {
      keepAliveMs: config.keepAliveMs,
      sseMaxConnections: config.sseMaxConnections,
      compression: config.sseCompression,
      subscriberBuffer: config.subscriberBuffer,
      projectionSnapshotEvery: config.projectionSnapshotEvery,
      allowedHosts: config.allowedHosts,
      logRequest: (line) => {
        if (line.status >= 500) logger.error(line, 'request');
        else if (QUIET_PATHS.has(line.path)) logger.debug(line, 'request');
        else logger.info(line, 'request');
      },
      analytics: { service: queries, sessions, limits },
      readiness: [
        { name: 'query-sessions', position: () => sessions.position() },
        // No engine process (starting, or killed and restarting): not ready, even at head 0.
        { name: 'analytics', position: () => (analytics.pid() ? analytics.position() : -1) },
      ],
      nav: [{ path: '/analytics', label: 'Analytics', section: 'dashboard' }],
    },
    modules,
  );
  opened.push(() => runtime.stop());
  opened.push(() => sessions.stop());
  const rebuild = await Promise.all([runtime.start(), sessions.start()]);
  logger.info(
    {
      positions: Object.fromEntries(runtime.readModels().map((m) => [m.name, m.position()])),
      ms: rebuild[0].ms,
    },
    'projections rebuilt',
  );
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
  runtime.sampleMetrics();
  const { app } = runtime;

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
    { url, database: config.databaseUrl, bus: rawBus.endpoint, settings: rawStore.settings },
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
        runtime.abortFeeds();
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
