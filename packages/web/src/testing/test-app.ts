import { randomUUID } from 'node:crypto';
import {
  createProjectionRunner,
  createQueryCache,
  createQuerySessionService,
  createTodoService,
  type EventStore,
  querySessionsProjection,
  todoListProjection,
} from '@ironstar/application';
import {
  createInMemoryEventBus,
  createInMemoryEventStore,
  createScriptedAnalyticsEngine,
} from '@ironstar/application/testing';
import { createApp } from '../app';
import { countQueryEvents } from '../dashboard/analytics/analytics-routes';
import { createMetricsSampler } from '../dashboard/system/metrics-sampler';
import { createMetrics } from '../metrics';
import { createSseHub } from '../sse/sse-hub';

/** The app in process over the in-memory store and bus, for `app.request(...)` tests. */
export const createTestApp = async (
  options: {
    wrapStore?: (store: EventStore) => EventStore;
    compression?: boolean;
    todoPageSize?: number;
    sseMaxConnections?: number;
    /** What the scripted analytics engine answers (default: one row, [[1]]). */
    answer?: Parameters<typeof createScriptedAnalyticsEngine>[0];
  } = {},
) => {
  const memory = createInMemoryEventStore();
  const store = options.wrapStore ? options.wrapStore(memory) : memory;
  const bus = createInMemoryEventBus();
  const todoList = createProjectionRunner({ store, bus, projection: todoListProjection });
  await todoList.start();
  const hub = createSseHub({
    keepAliveMs: 60_000,
    ...(options.sseMaxConnections === undefined
      ? {}
      : { maxConnections: options.sseMaxConnections }),
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const todos = createTodoService({
    store,
    bus,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
  });
  // Analytics over the scripted engine (it runs no SQL; DuckDB is tested in infrastructure
  // and end to end): it "applies" each event as the bus delivers it.
  const engine = createScriptedAnalyticsEngine(options.answer);
  bus.subscribe('events/', (e) => engine.apply(e.aggregateType, e.globalSequence));
  const cache = createQueryCache({ ttlMs: 60_000 });
  engine.onApplied((types) => cache.invalidate(types));
  const sessions = createProjectionRunner({ store, bus, projection: querySessionsProjection });
  await sessions.start();
  const limits = { timeoutMs: 1000, maxRows: 100, maxBytes: 64 * 1024 };
  const service = createQuerySessionService({
    store,
    bus,
    engine,
    cache,
    limits,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
    onEvents: (events) => countQueryEvents(metrics, events),
  });
  const sampler = createMetricsSampler({
    registry: metrics.registry,
    beforeSample: () => {
      metrics.projectionPosition.set({ projection: 'todo-list' }, todoList.position());
    },
  });
  const app = createApp({
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.todoPageSize === undefined ? {} : { todoPageSize: options.todoPageSize }),
    store,
    bus,
    todos,
    todoList,
    hub,
    metrics,
    sampler,
    analytics: { service, sessions, limits },
  });
  const command = (body: unknown, headers: Record<string, string> = {}) =>
    app.request('/api/commands/todo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const close = async () => {
    hub.abortAll();
    hub.stop();
    await service.drain();
    await sessions.stop();
    await todoList.stop();
  };
  return {
    app,
    events: memory.events,
    store,
    bus,
    todoList,
    hub,
    metrics,
    command,
    close,
    engine,
    service,
    sessions,
    sampler,
  };
};

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
