import type { AnyProcessManager, EventStore } from '@ironstar/application';
import {
  createInMemoryEventBus,
  createInMemoryEventStore,
  createInMemoryProcessStore,
  createInMemoryProjectionSnapshots,
} from '@ironstar/application/testing';
import type { AuthSettings } from '../auth/auth';
import { createMetrics } from '../metrics';
import type { Module } from '../module';
import type { ProcessSettings } from '../processes/process-host';
import { createRuntime } from '../runtime';
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
  /** Process managers to run beside the modules (over an in-memory process store). */
  processes?: readonly AnyProcessManager[];
  processSettings?: ProcessSettings;
  /** Sign-in on (default: local mode). */
  auth?: AuthSettings;
  /** Per-user limits (default: practically none, see below). */
  rateLimitPerMinute?: number;
  feedsPerUser?: number;
  metricsToken?: string;
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
  const processStore = createInMemoryProcessStore(memory);
  const runtime = await createRuntime(
    {
      store,
      bus,
      snapshots: memory.snapshots,
      projectionSnapshots: createInMemoryProjectionSnapshots(),
      metrics,
      processes: processStore,
    },
    {
      keepAliveMs: 60_000,
      storePollMs: options.storePollMs ?? 60_000,
      projectionSnapshotEvery: 10_000,
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.sseMaxConnections === undefined
        ? {}
        : { sseMaxConnections: options.sseMaxConnections }),
      processes: { leaseMs: 1000, pollMs: 10, retryBaseMs: 5, ...options.processSettings },
      ...(options.auth ? { auth: options.auth } : {}),
      // Off unless a test sets them: many tests drive thousands of one user's commands and
      // feeds; the limits' own tests pass small values.
      rateLimitPerMinute: options.rateLimitPerMinute ?? 1_000_000,
      feedsPerUser: options.feedsPerUser ?? 100_000,
      ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
    },
    modules,
    { processes: options.processes ?? [] },
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
  const close = () => runtime.stop();
  return {
    app: runtime.app,
    runtime,
    /** Every stored event, as stored. */
    events: memory.events,
    /** The store as stored (writes here are read back through the upcasters). */
    store,
    bus,
    processStore,
    hub: runtime.hub,
    metrics,
    sampler: runtime.sampler,
    command,
    position,
    close,
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
