import type { AnalyticsEngine, QueryLimits } from '@ironstar/application';
import { defineModule, type ModuleContext } from '@ironstar/web';
import { analyticsRoutes, countQueryEvents } from './analytics-routes';
import { createQueryCache } from './query-cache';
import { querySessionAggregate } from './query-session-aggregate';
import { createQuerySessionService } from './query-session-service';
import { querySessionsProjection } from './query-sessions-projection';
import { EVENT_LOG_QUERIES, type SavedQuery } from './saved-queries';

/** What the module runs queries on: the engine port, and its lifecycle. */
export type AnalyticsEngineHandle = AnalyticsEngine & {
  /** Rebuilds its copy of the log and follows it; resolves once caught up. */
  start(): Promise<void>;
  /** False while it cannot take queries (starting, restarting): /readyz waits. */
  running?: () => boolean;
  /** Ends running queries at once (at shutdown, so their sessions can be recorded). */
  interruptAll?: () => void;
  close?: () => Promise<void>;
};

/** What an engine opener is given: the runtime's readers (upcast store and bus) and helpers. */
export type EngineContext = Pick<
  ModuleContext<never, unknown, unknown, object>,
  'store' | 'bus' | 'heads' | 'metrics' | 'log'
>;

export type QuerySessionsModuleOptions = {
  /** Opens the engine over the runtime's store and bus (DuckDB in the server). */
  readonly engine: (context: EngineContext) => Promise<AnalyticsEngineHandle>;
  readonly limits: QueryLimits;
  readonly cacheTtlMs: number;
  readonly cacheMaxBytes?: number;
  readonly maxInFlight?: number;
  readonly maxPerClient?: number;
  readonly keepResultBytes?: number;
  /** Queries offered by name (default: the ones over any event log). */
  readonly savedQueries?: readonly SavedQuery[];
};

const SWEEP_EVERY_MS = 60_000;

/**
 * The analytics dashboard's query sessions: each run of a query is a QuerySession aggregate
 * (started, then completed or failed), over an engine that holds a copy of the event log.
 */
export const querySessionsModule = (options: QuerySessionsModuleOptions) =>
  defineModule({
    aggregate: querySessionAggregate,
    projections: { sessions: querySessionsProjection },
    nav: [{ path: '/analytics', label: 'Analytics', section: 'dashboard' }],
    setup: async (context) => {
      const { log, metrics } = context;
      const { sessions } = context.projections;
      const engine = await options.engine(context);
      const cache = createQueryCache({
        ttlMs: options.cacheTtlMs,
        ...(options.cacheMaxBytes === undefined ? {} : { maxBytes: options.cacheMaxBytes }),
      });
      engine.onApplied((types) => cache.invalidate(types));
      const savedQueries = options.savedQueries ?? EVENT_LOG_QUERIES;
      const service = createQuerySessionService({
        commands: context.commands,
        engine,
        cache,
        limits: options.limits,
        savedQueries,
        clock: context.clock,
        ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
        ...(options.maxPerClient === undefined ? {} : { maxPerClient: options.maxPerClient }),
        ...(options.keepResultBytes === undefined
          ? {}
          : { keepResultBytes: options.keepResultBytes }),
        onEvents: (events) => countQueryEvents(metrics, events),
        onError: (error) => log.warn({ err: error }, 'query session could not be recorded'),
      });
      // Sessions left executing by a process that died end as failed, at start and each minute.
      const sweep = () =>
        service
          .failAbandoned([...sessions.state().values()].filter((s) => s.status === 'executing'))
          .then((failed) => failed > 0 && log.warn({ failed }, 'abandoned query sessions failed'))
          .catch((error: unknown) => log.warn({ err: error }, 'abandoned-session sweep failed'));
      let sweeper: ReturnType<typeof setInterval> | undefined;
      return {
        routes: analyticsRoutes({
          service,
          sessions,
          limits: options.limits,
          savedQueries,
          hub: context.hub,
          metrics,
          shell: context.shell,
          compression: context.compression,
        }),
        // No engine (starting, or killed and restarting): not ready, even at head 0.
        readiness: [
          {
            name: 'analytics',
            position: () => ((engine.running?.() ?? true) ? engine.position() : -1),
          },
        ],
        async start() {
          // The engine (a process of its own) starts once the in-memory read models are
          // rebuilt, so its catch-up (a second read of the log) does not slow theirs; it
          // catches up while the server listens: /readyz says when.
          const began = Date.now();
          void engine.start().then(
            () =>
              log.info(
                { position: engine.position(), ms: Date.now() - began },
                'analytics projection rebuilt',
              ),
            (error: unknown) => log.error({ err: error }, 'analytics projection failed to start'),
          );
          await sweep();
          sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS);
          sweeper.unref();
        },
        async stop() {
          clearInterval(sweeper);
          // Running queries are stopped, and their sessions recorded as failed, first.
          engine.interruptAll?.();
          await service.drain();
          await engine.close?.();
        },
      };
    },
  });
