import { hostname } from 'node:os';
import {
  type AnyProcessManager,
  createProcessRunner,
  type EventBus,
  type EventStore,
  type HeadSource,
  type ProcessRunner,
  type ProcessRunnerEvent,
  type ProcessStore,
  type ProcessTarget,
} from '@ironstar/application';
import type { Metrics } from '../metrics';
import type { RuntimeLog } from '../module';

export type ProcessSettings = {
  /** Lease time to live (PROCESS_LEASE_MS); the holder renews it every third of it. */
  readonly leaseMs?: number;
  /** Tries of an outgoing command before it is parked (PROCESS_RETRY_MAX). */
  readonly retryMax?: number;
  /** How often due timers and outbox rows are looked for (PROCESS_POLL_MS). */
  readonly pollMs?: number;
  /** First retry delay, doubled at each try. */
  readonly retryBaseMs?: number;
};

const MANAGER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The process managers of one runtime: a runner each, started and stopped together. */
export const createProcessHost = (deps: {
  readonly managers: readonly AnyProcessManager[];
  readonly processes: ProcessStore | undefined;
  readonly store: EventStore;
  readonly bus: EventBus;
  readonly heads: HeadSource | undefined;
  readonly targets: ReadonlyMap<string, ProcessTarget>;
  readonly clock: () => string;
  readonly newId: () => string;
  readonly metrics: Metrics;
  readonly log: RuntimeLog;
  readonly settings: ProcessSettings;
}) => {
  const names = deps.managers.map((manager) => manager.name);
  // Names go into URLs, stream types and Datastar expressions: keep them plain.
  const odd = names.find((name) => !MANAGER_NAME.test(name));
  if (odd !== undefined) {
    throw new Error(`process manager name ${JSON.stringify(odd)} must match ${MANAGER_NAME}`);
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new Error(`two process managers are named ${twice}`);
  const processes = deps.processes;
  if (deps.managers.length > 0 && !processes) {
    throw new Error('process managers are registered but the runtime has no process store');
  }
  // Unique per runtime, readable on the dashboard: which process holds a lease.
  const owner = `${hostname()}:${process.pid}:${deps.newId().slice(0, 8)}`;

  const report = (event: ProcessRunnerEvent) => {
    deps.metrics.processEvents.inc({ manager: event.manager, event: event.type });
    switch (event.type) {
      case 'input':
      case 'duplicate':
      case 'timerFired':
      case 'sent':
        return deps.log.debug(event, `process ${event.type}`);
      case 'leaseAcquired':
      case 'leaseLost':
        return deps.log.info({ ...event, owner }, `process ${event.type}`);
      case 'refused':
      case 'retried':
        return deps.log.warn(event, `process command ${event.type}`);
      case 'parked':
      case 'storeError':
        return deps.log.error(event, `process ${event.type}`);
      case 'failed':
        return deps.log.error(
          { manager: event.manager, err: event.error },
          'process manager failed',
        );
    }
  };

  const runners: readonly ProcessRunner[] = processes
    ? deps.managers.map((manager) =>
        createProcessRunner({
          manager,
          store: deps.store,
          bus: deps.bus,
          ...(deps.heads ? { heads: deps.heads } : {}),
          processes,
          targets: (type) => deps.targets.get(type),
          clock: deps.clock,
          owner,
          ...deps.settings,
          onEvent: report,
        }),
      )
    : [];

  return {
    owner,
    runners,
    get: (name: string) => runners.find((runner) => runner.name === name),
    start: async () => {
      for (const runner of runners) await runner.start();
    },
    stop: async () => {
      for (const runner of runners) await runner.stop();
    },
    /** Position and lag gauges, set before /metrics is read. */
    record(head: number | undefined) {
      for (const runner of runners) {
        if (!runner.isActive()) continue;
        deps.metrics.processCheckpoint.set({ manager: runner.name }, runner.position());
        if (head !== undefined) {
          deps.metrics.processLag.set(
            { manager: runner.name },
            Math.max(0, head - runner.position()),
          );
        }
      }
    },
  };
};

export type ProcessHost = ReturnType<typeof createProcessHost>;
