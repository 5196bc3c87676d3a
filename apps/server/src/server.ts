import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  createDuckDbAnalytics,
  getLibsqlEventStore,
  getPostgresEventStore,
  getZeroMqEventBus,
} from '@ironstar/infrastructure';
import { createMetrics, createRuntime } from '@ironstar/web';
import type { Logger } from 'pino';
import type { Config } from './config';
import { listen } from './http-listener';
import { appModules, appProcessManagers } from './modules';

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** The database URL as logged: a password in it is replaced. */
const withoutPassword = (url: string) => {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.password ? parsed.toString() : url;
  } catch {
    return url;
  }
};

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
  const metrics = createMetrics();
  const onCommit = (seconds: number) => metrics.storeCommitDuration.observe(seconds);
  // postgres:// (or postgresql://) selects the PostgreSQL store; anything else is libSQL's.
  const rawStore = isPostgresUrl(config.databaseUrl)
    ? await getPostgresEventStore({ url: config.databaseUrl, onCommit })
    : await getLibsqlEventStore({
        url: config.databaseUrl,
        onCommit,
        ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}),
        synchronous: config.synchronous,
        busyTimeoutMs: config.busyTimeoutMs,
        ...(config.maxPageCount > 0 ? { maxPageCount: config.maxPageCount } : {}),
      });
  opened.push(() => rawStore.close());
  const bus = await getZeroMqEventBus({
    ...(config.busProxy ? { proxy: config.busProxy } : { endpoint: config.busEndpoint }),
    onError: (error) => logger.warn({ err: error }, 'event bus'),
    onTraffic: (direction, messages) => metrics.busMessages.inc({ direction }, messages),
  });
  opened.push(() => bus.close());
  const modules = appModules(config, {
    // The dashboard's analytics: DuckDB sealed in its own process (see duckdb-analytics.ts),
    // over the runtime's readers, killed and rebuilt at need.
    analyticsEngine: (readers) =>
      createDuckDbAnalytics({
        store: readers.store,
        bus: readers.bus,
        ...(readers.heads ? { heads: readers.heads } : {}),
        memoryLimitBytes: config.analyticsMemoryBytes,
        tempMaxBytes: config.analyticsTempMaxBytes,
        threads: config.analyticsThreads,
        maxConcurrentQueries: config.analyticsMaxConcurrent,
        ...(config.analyticsPath === undefined ? {} : { path: config.analyticsPath }),
        onNotKept: (reason) =>
          logger.warn({ reason, path: config.analyticsPath }, 'analytics kept in memory only'),
        onFellBehind: () => metrics.subscribersFellBehind.inc({ subscriber: 'analytics' }),
        onError: (error) => logger.error({ err: error }, 'analytics projection error'),
        onRestart: (reason) => logger.error({ reason }, 'analytics engine restarted'),
      }),
  });
  const runtime = await createRuntime(
    {
      store: rawStore,
      bus,
      snapshots: rawStore.snapshots,
      projectionSnapshots: rawStore.projectionSnapshots,
      processes: rawStore.processes,
      log: logger,
      metrics,
    },
    {
      storePollMs: config.storePollMs,
      keepAliveMs: config.keepAliveMs,
      sseMaxConnections: config.sseMaxConnections,
      compression: config.sseCompression,
      subscriberBuffer: config.subscriberBuffer,
      projectionSnapshotEvery: config.projectionSnapshotEvery,
      allowedHosts: config.allowedHosts,
      ...(config.auth ? { auth: config.auth } : {}),
      ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
      rateLimitPerMinute: config.rateLimitPerMinute,
      feedsPerUser: config.feedsPerUser,
      processes: {
        leaseMs: config.processLeaseMs,
        retryMax: config.processRetryMax,
        pollMs: config.processPollMs,
      },
      logRequest: (line) => {
        // /readyz answers 503 while the read models catch up, at every start: expected, not an
        // error (a bench polling it at 1M events logged thousands of error lines).
        const catchingUp = line.path === '/readyz' && line.status === 503;
        if (line.status >= 500 && !catchingUp) logger.error(line, 'request');
        else if (QUIET_PATHS.has(line.path)) logger.debug(line, 'request');
        else logger.info(line, 'request');
      },
    },
    modules,
    { processes: appProcessManagers(config) },
  );
  // Modules stop first (running queries recorded), then the read models save themselves.
  opened.push(() => runtime.stop());
  const { ms } = await runtime.start();
  logger.info(
    {
      positions: Object.fromEntries(runtime.readModels().map((m) => [m.name, m.position()])),
      ms,
    },
    'projections rebuilt',
  );
  runtime.sampleMetrics();

  const server = await listen(runtime.app.fetch, config);
  let draining = false;
  // While draining, each response is the last on its connection, so keep-alive clients let go.
  server.on('request', (_req, res) => {
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    {
      url,
      database: withoutPassword(config.databaseUrl),
      bus: bus.endpoint,
      settings: rawStore.settings,
    },
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
