import { randomUUID } from 'node:crypto';
import {
  createProjectionRunner,
  createQueryCache,
  createQuerySessionService,
  type EventStore,
  querySessionsProjection,
} from '@ironstar/application';
import {
  createInMemoryEventBus,
  createInMemoryEventStore,
  createInMemoryProjectionSnapshots,
  createScriptedAnalyticsEngine,
} from '@ironstar/application/testing';
import { countQueryEvents } from '../dashboard/analytics/analytics-routes';
import { createMetrics } from '../metrics';
import type { Module } from '../module';
import { createRuntime, readerStore } from '../runtime';
import { cartModule } from './cart-module';

export type TestAppOptions = {
  /** The modules to run (default: the shopping-cart fixture). */
  modules?: readonly Module[];
  /** Wraps the in-memory store, e.g. to make it fail. */
  wrapStore?: (store: EventStore) => EventStore;
  compression?: boolean;
  sseMaxConnections?: number;
  /**
   * How often the head watcher reads the store (default 60 s: wired as in production, but
   * slow enough that tests counting store queries count only their own).
   */
  storePollMs?: number;
  /** What the scripted analytics engine answers (default: one row, [[1]]). */
  answer?: Parameters<typeof createScriptedAnalyticsEngine>[0];
};

/**
 * The app in process, built by the very runtime the server uses (upcasters, shared read
 * models, snapshots, head watcher, module wiring), over the in-memory store and bus.
 */
export const createTestApp = async (options: TestAppOptions = {}) => {
  const modules = options.modules ?? [cartModule];
  const memory = createInMemoryEventStore();
  const store = options.wrapStore ? options.wrapStore(memory) : memory;
  const bus = createInMemoryEventBus();
  const metrics = createMetrics({ defaultMetrics: false });
  // Analytics over the scripted engine (it runs no SQL; DuckDB is tested in infrastructure
  // and end to end): it "applies" each event as the bus delivers it.
  const readers = readerStore(store, modules);
  const engine = createScriptedAnalyticsEngine(options.answer);
  bus.subscribe('events/', (e) => engine.apply(e.aggregateType, e.globalSequence));
  const cache = createQueryCache({ ttlMs: 60_000 });
  engine.onApplied((types) => cache.invalidate(types));
  const sessions = createProjectionRunner({
    store: readers,
    bus,
    projection: querySessionsProjection,
  });
  await sessions.start();
  const limits = { timeoutMs: 1000, maxRows: 100, maxBytes: 64 * 1024 };
  const service = createQuerySessionService({
    store: readers,
    bus,
    engine,
    cache,
    limits,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
    onEvents: (events) => countQueryEvents(metrics, events),
  });
  const runtime = createRuntime(
    {
      store,
      bus,
      snapshots: memory.snapshots,
      projectionSnapshots: createInMemoryProjectionSnapshots(),
      metrics,
    },
    {
      keepAliveMs: 60_000,
      storePollMs: options.storePollMs ?? 60_000,
      projectionSnapshotEvery: 10_000,
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.sseMaxConnections === undefined
        ? {}
        : { sseMaxConnections: options.sseMaxConnections }),
      analytics: { service, sessions, limits },
      readiness: [{ name: 'query-sessions', position: () => sessions.position() }],
      nav: [{ path: '/analytics', label: 'Analytics', section: 'dashboard' }],
    },
    modules,
  );
  await runtime.start();
  const commandName = modules.find((module) => module.commandName)?.commandName;
  /** POSTs a command to the first module that takes commands over HTTP. */
  const command = (body: unknown, headers: Record<string, string> = {}, to = commandName) =>
    runtime.app.request(`/api/commands/${to}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  /** The position of a read model, by name. */
  const position = (name: string) =>
    runtime
      .readModels()
      .find((model) => model.name === name)
      ?.position() ?? -1;
  const close = async () => {
    await service.drain();
    await sessions.stop();
    await runtime.stop();
  };
  return {
    app: runtime.app,
    runtime,
    /** Every stored event, as stored. */
    events: memory.events,
    /** The store as stored (writes here are read back through the upcasters). */
    store,
    bus,
    hub: runtime.hub,
    metrics,
    sampler: runtime.sampler,
    command,
    position,
    close,
    engine,
    service,
    sessions,
  };
};

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Reads an SSE body until `done` says enough, then cancels it. */
export const readSse = async (
  response: Response,
  done: (text: string) => boolean,
  timeoutMs = 2000,
): Promise<string> => {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(text)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`SSE condition not met; got:\n${text}`);
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`SSE timed out; got:\n${text}`)), remaining),
        ),
      ]);
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
};
