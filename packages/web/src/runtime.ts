import { randomUUID } from 'node:crypto';
import {
  type AnyProcessManager,
  createHeadWatcher,
  createProjectionGroup,
  type EventBus,
  type EventStore,
  type HeadSource,
  PROCESS_EVENTS,
  type ProcessStore,
  type ProjectionSnapshotStore,
  processStreamType,
  type SnapshotStore,
  withUpcasters,
  withUpcastersOnBus,
} from '@ironstar/application';
import { type App, createApp, type RequestLog } from './app';
import { type AuthSettings, createAuth } from './auth/auth';
import { DASHBOARD_NAV, PROCESSES_NAV } from './dashboard/dashboard-routes';
import { drawnMachines, stateMachineRoutes } from './dashboard/state-machines/state-machine-routes';
import { createMetricsSampler } from './dashboard/system/metrics-sampler';
import { createTimeMachine } from './dashboard/time-travel/time-machine';
import { createMetrics, type Metrics } from './metrics';
import type {
  InstallContext,
  InstalledModule,
  Module,
  ReadModelStatus,
  RuntimeLog,
} from './module';
import { navigation, type PageShell } from './pages/layout';
import {
  createProcessHost,
  type ProcessHost,
  type ProcessSettings,
} from './processes/process-host';
import { createSseHub } from './sse/sse-hub';

/** The adapters a runtime runs on: what the server opens, or in-memory fakes in tests. */
export type RuntimePorts = {
  /** The event store as stored; the runtime reads it through the modules' upcasters. */
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Aggregate snapshots (absent: none are taken). */
  readonly snapshots?: SnapshotStore;
  /** Read model snapshots (absent: read models always rebuild from the events). */
  readonly projectionSnapshots?: ProjectionSnapshotStore;
  /** Store heads now and then (default: a head watcher polling every `storePollMs`). */
  readonly heads?: HeadSource;
  /** Current time as an ISO-8601 string (default: the system clock). */
  readonly clock?: () => string;
  /** A new UUID (default: crypto.randomUUID). */
  readonly newId?: () => string;
  readonly log?: RuntimeLog;
  /** The registry /metrics serves (default: a new one), for adapters that count too. */
  readonly metrics?: Metrics;
  /** Where process managers keep checkpoints, leases, outbox and timers (needed if any). */
  readonly processes?: ProcessStore;
};

export type RuntimeConfig = {
  /** How often the store's head is read, so subscribers find events the bus lost. */
  readonly storePollMs?: number;
  readonly keepAliveMs?: number;
  readonly sseMaxConnections?: number;
  readonly compression?: boolean;
  readonly subscriberBuffer?: number;
  /** Read models are saved every this many events and at stop (0: never). */
  readonly projectionSnapshotEvery?: number;
  readonly allowedHosts?: readonly string[] | '*';
  /** Node's process metrics on /metrics, when the runtime makes the registry (default on). */
  readonly processMetrics?: boolean;
  /** Aggregates whose state each command handler keeps in memory. */
  readonly stateCacheSize?: number;
  readonly logRequest?: (line: RequestLog) => void;
  /** Process managers' lease, retries and polling (see README: PROCESS_*). */
  readonly processes?: ProcessSettings;
  /** Sign-in (providers, sessions, the User module); absent: local mode, the local admin. */
  readonly auth?: AuthSettings;
  /** Commands one user may send per minute (default 600). */
  readonly rateLimitPerMinute?: number;
  /** Feeds one user may hold open (default 20). */
  readonly feedsPerUser?: number;
  /** Lets a scraper read /metrics with this bearer token (an admin always may). */
  readonly metricsToken?: string;
};

/** What runs beside the modules. */
export type RuntimeExtras = {
  /** Process managers: each reacts to stored events with commands to the modules' aggregates. */
  readonly processes?: readonly AnyProcessManager[];
};

const silent: RuntimeLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Every module's upcasters, each for its own aggregate's events only. */
const upcastersOf = (modules: readonly Module[]) =>
  modules.flatMap((module) =>
    module.upcasters.map((upcaster) => ({ aggregateType: module.aggregateType, ...upcaster })),
  );

/** The store as every reader sees it: events lifted by every registered module's upcasters. */
export const readerStore = <S extends EventStore>(store: S, modules: readonly Module[]): S =>
  withUpcasters(store, upcastersOf(modules));

/** The bus likewise: another process may publish events of an older version. */
export const readerBus = <B extends Pick<EventBus, 'subscribe'>>(
  bus: B,
  modules: readonly Module[],
): B => withUpcastersOnBus(bus, upcastersOf(modules));

/**
 * The one composition root: from ports, configuration and modules, the running application.
 * The server calls it with libSQL, ZeroMQ and DuckDB; the tests with in-memory fakes, so a
 * test runs the production wiring (upcasters, shared read models, snapshots, head watcher).
 * The modules give the command routes, read models, pages, navigation, readiness, metrics
 * labels, the event log's type lists, time travel and the upcaster chain.
 */
export const createRuntime = async (
  ports: RuntimePorts,
  config: RuntimeConfig,
  appModules: readonly Module[],
  extras: RuntimeExtras = {},
) => {
  // With sign-in on, the framework's User module is registered like any other.
  const auth = config.auth ? createAuth(config.auth) : undefined;
  const modules = auth ? [...appModules, auth.module] : appModules;
  const log = ports.log ?? silent;
  const clock = ports.clock ?? (() => new Date().toISOString());
  const newId = ports.newId ?? randomUUID;
  const types = modules.map((module) => module.aggregateType);
  const managers = extras.processes ?? [];
  const twice = types.find((type, i) => types.indexOf(type) !== i);
  if (twice) throw new Error(`two modules register the aggregate ${twice}`);

  const store = readerStore(ports.store, modules);
  const bus = readerBus(ports.bus, modules);
  const metrics = ports.metrics ?? createMetrics({ defaultMetrics: config.processMetrics ?? true });
  const watcher = ports.heads
    ? undefined
    : createHeadWatcher({ store, intervalMs: config.storePollMs ?? 1000 });
  const heads = ports.heads ?? watcher;
  const projectionEvery = config.projectionSnapshotEvery ?? 0;
  const projections = createProjectionGroup({
    store,
    bus,
    ...(heads ? { heads } : {}),
    onFellBehind: () => metrics.subscribersFellBehind.inc({ subscriber: 'projections' }),
    ...(ports.projectionSnapshots && projectionEvery > 0
      ? { snapshots: { store: ports.projectionSnapshots, every: projectionEvery } }
      : {}),
    onError: (error) => log.error({ err: error }, 'projection error'),
  });
  const hub = createSseHub({
    ...(config.keepAliveMs === undefined ? {} : { keepAliveMs: config.keepAliveMs }),
    ...(config.sseMaxConnections === undefined ? {} : { maxConnections: config.sseMaxConnections }),
    feedsPerUser: config.feedsPerUser ?? 20,
    onRefused: (feed) => metrics.sseRefused.inc({ feed }),
    onCountChange: (feed, delta) => metrics.sseConnections.inc({ feed }, delta),
    onBytes: (feed, encoded, sent) => {
      if (encoded > 0) metrics.feedBytes.inc({ feed, stage: 'encoded' }, encoded);
      if (sent > 0) metrics.feedBytes.inc({ feed, stage: 'sent' }, sent);
    },
  });
  const shell: PageShell = {
    // The application's pages, then the framework's dashboard, then the modules' own.
    nav: navigation([
      ...DASHBOARD_NAV,
      ...(managers.length > 0 ? [PROCESSES_NAV] : []),
      ...modules.flatMap((module) => module.nav),
    ]),
    styles: modules.map((module) => module.styles).join(''),
  };

  const context: InstallContext = {
    store,
    bus,
    hub,
    metrics,
    shell,
    compression: config.compression ?? false,
    clock,
    newId,
    log,
    heads,
    projections,
    snapshots: ports.snapshots,
    stateCacheSize: config.stateCacheSize,
    timeMachine: (view) => {
      const machine = createTimeMachine({ store, projection: view.projection, size: view.size });
      return (at) => machine.stateAt(at);
    },
  };
  // In registration order: a module's setup may open what it needs (an engine) first.
  const installed: InstalledModule[] = [];
  try {
    for (const module of modules) installed.push(await module.install(context));
  } catch (error) {
    // What the modules before it opened is closed again, so the process can exit.
    for (const module of installed.reverse()) await module.stop?.();
    hub.stop();
    watcher?.stop();
    throw error;
  }

  let processHost: ProcessHost;
  try {
    processHost = createProcessHost({
      managers: extras.processes ?? [],
      processes: ports.processes,
      store,
      bus,
      heads,
      targets: new Map(installed.map((module) => [module.aggregateType, module.target])),
      clock,
      newId,
      metrics,
      log,
      settings: config.processes ?? {},
    });
  } catch (error) {
    for (const module of [...installed].reverse()) await module.stop?.();
    hub.stop();
    watcher?.stop();
    throw error;
  }

  const readModels = (): readonly ReadModelStatus[] => [
    ...projections.members(),
    ...installed.flatMap((module) => module.readiness ?? []),
  ];
  const recordPositions = async () => {
    const head = await store.head();
    if (head.isOk()) metrics.storeHead.set(head.value);
    processHost.record(head.isOk() ? head.value : undefined);
    for (const { name, position } of readModels()) {
      metrics.projectionPosition.set({ projection: name }, position());
      if (head.isOk()) {
        metrics.projectionLag.set({ projection: name }, Math.max(0, head.value - position()));
      }
    }
  };
  const sampler = createMetricsSampler({
    registry: metrics.registry,
    beforeSample: recordPositions,
    onError: (error) => log.warn({ err: error }, 'metrics sample failed'),
  });

  const app: App = createApp({
    store,
    bus,
    hub,
    metrics,
    shell,
    commands: installed.flatMap((module) => (module.commands ? [module.commands] : [])),
    routes: [
      ...installed.flatMap((module) => (module.routes ? [module.routes] : [])),
      stateMachineRoutes({
        machines: drawnMachines(modules, installed),
        bus,
        hub,
        shell,
        compression: config.compression ?? false,
      }),
    ],
    catalog: {
      // Process managers' instance streams are in the log like any other.
      aggregateTypes: [...types, ...managers.map((manager) => processStreamType(manager.name))],
      eventTypes: [
        ...new Set([
          ...modules.flatMap((module) => module.eventTypes),
          ...(managers.length > 0 ? Object.values(PROCESS_EVENTS) : []),
        ]),
      ],
    },
    pastViews: installed.flatMap((module) => (module.pastView ? [module.pastView] : [])),
    // Installed in the modules' order: the aggregate types whose read models travel.
    travelTypes: modules.filter((_, i) => installed[i]?.pastView).map((m) => m.aggregateType),
    readModels,
    recordPositions,
    ...(heads ? { heads } : {}),
    ...(config.subscriberBuffer === undefined ? {} : { subscriberBuffer: config.subscriberBuffer }),
    compression: config.compression ?? false,
    ...(config.logRequest ? { logRequest: config.logRequest } : {}),
    onError: (error, requestId) => log.error({ err: error, requestId }, 'request failed'),
    sampler,
    processes: processHost.runners,
    ...(config.allowedHosts === undefined ? {} : { allowedHosts: config.allowedHosts }),
    ...(auth ? { identity: auth.identity, csrf: auth.csrf } : {}),
    ...(config.rateLimitPerMinute === undefined
      ? {}
      : { rateLimitPerMinute: config.rateLimitPerMinute }),
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
  });

  let started: Promise<{ readonly ms: number }> | undefined;
  let stopped: Promise<void> | undefined;
  return {
    app,
    /** The store as readers see it (upcast). */
    store,
    bus,
    hub,
    metrics,
    sampler,
    heads,
    readModels,
    /** The process managers' runners (each consumes only while it holds its lease). */
    processes: processHost,
    /**
     * Rebuilds the read models (from their snapshots and the events after them), then starts
     * the modules and the metrics sampler. Resolves once the read models reached the head.
     */
    start() {
      started ??= (async () => {
        const begun = Date.now();
        await projections.start();
        const ms = Date.now() - begun;
        for (const module of installed) await module.start?.();
        await processHost.start();
        return { ms };
      })();
      return started;
    },
    /** Samples /system's metrics every second from now on. */
    sampleMetrics: () => sampler.start(),
    /** Cuts every open feed, so browsers reconnect (to this server or the next). */
    abortFeeds: () => hub.abortAll(),
    /** Stops the modules, saves the read models, closes feeds and timers. */
    stop() {
      stopped ??= (async () => {
        sampler.stop();
        hub.abortAll();
        // Managers first: they send commands to the modules' aggregates.
        await processHost.stop();
        for (const module of [...installed].reverse()) await module.stop?.();
        await projections.stop();
        hub.stop();
        watcher?.stop();
      })();
      return stopped;
    },
  };
};

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;
