import type {
  AggregateService,
  AnalyticsEngine,
  CommandError,
  EventMetadata,
  PreparedQuery,
  PrepareRefusal,
  QueryExecutionFailed,
  QueryLimits,
  QueryResult,
  StoredEvent,
} from '@ironstar/application';
import { type ValidationError, validationError } from '@ironstar/domain';
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { createKeptResults } from './kept-results';
import type { CacheDependency, QueryCache } from './query-cache';
import type {
  QuerySessionCommand,
  QuerySessionError,
  QuerySessionState,
} from './query-session-decider';
import { createQuerySlots, type SlotRefusal } from './query-slots';
import type { SavedQuery } from './saved-queries';
import { SqlText } from './sql-text';

export type QuerySessionServiceDeps = {
  /** The QuerySession aggregate's commands (ids and time filled in). */
  readonly commands: AggregateService<QuerySessionCommand, QuerySessionState, QuerySessionError>;
  readonly engine: AnalyticsEngine;
  readonly cache: QueryCache;
  readonly limits: QueryLimits;
  /** The queries offered by name. */
  readonly savedQueries: readonly SavedQuery[];
  /** Current time as an ISO-8601 string (for the abandoned-session sweep). */
  readonly clock: () => string;
  /** Monotonic milliseconds, for durations. */
  readonly now?: () => number;
  /** Sessions allowed to run at once; more are refused with Busy. */
  readonly maxInFlight?: number;
  /** Sessions one client may run at once; more are refused with Busy. */
  readonly maxPerClient?: number;
  /** Results of this many recent sessions are kept to be shown again... */
  readonly keepResults?: number;
  /** ...and at most this many bytes of their rows. */
  readonly keepResultBytes?: number;
  /** How long a query waits for the projection to reach its own start event. */
  readonly catchUpWaitMs?: number;
  readonly onEvents?: (events: readonly StoredEvent[]) => void;
  readonly onError?: (error: unknown) => void;
};

export type StartQueryInput = { readonly sql?: unknown; readonly saved?: unknown };

export type StartQueryError =
  | ValidationError
  | PrepareRefusal
  | SlotRefusal
  | CommandError<QuerySessionError>;

export type StartedQuery = {
  readonly id: string;
  /** Global sequence of QueryStarted. */
  readonly sequence: number;
  /** Settles once QueryCompleted or QueryFailed is stored (or could not be). */
  readonly finished: Promise<void>;
};

/**
 * Query sessions: validate, take a concurrency slot, have the engine check and plan the query
 * (refusing anything it will not run), store QueryStarted, and only then run the query (from
 * the cache when it can) and record how it ended. The slot is held from planning to the end.
 */
export const createQuerySessionService = (deps: QuerySessionServiceDeps) => {
  const now = deps.now ?? (() => performance.now());
  const slots = createQuerySlots({
    max: deps.maxInFlight ?? 4,
    perClient: deps.maxPerClient ?? 2,
  });
  const results = createKeptResults({
    maxEntries: deps.keepResults ?? 50,
    maxBytes: deps.keepResultBytes ?? 64 * 2 ** 20,
  });
  const catchUpWaitMs = deps.catchUpWaitMs ?? 2000;
  const { commands } = deps;
  const on = (
    id: string,
    command: (now: string) => QuerySessionCommand,
    metadata?: EventMetadata,
  ) =>
    commands.send(
      { aggregateId: id, command: ({ now }) => command(now) },
      metadata ? { metadata } : {},
    );
  const inFlight = new Set<Promise<void>>();

  const resolve = (
    input: StartQueryInput,
  ): Result<{ sql: SqlText; name: string | null; dependsOn: CacheDependency }, ValidationError> => {
    if (input.saved !== undefined && input.saved !== '') {
      const saved =
        typeof input.saved === 'string'
          ? deps.savedQueries.find((query) => query.name === input.saved)
          : undefined;
      if (!saved) return err(validationError('saved', 'no saved query by that name'));
      return ok({ sql: saved.sql as SqlText, name: saved.name, dependsOn: saved.dependsOn });
    }
    return SqlText.parse(input.sql).map((sql) => ({ sql, name: null, dependsOn: 'all' as const }));
  };

  const runQuery = (
    sql: string,
    dependsOn: CacheDependency,
    prepared: PreparedQuery,
  ): ResultAsync<{ result: QueryResult; cached: boolean }, QueryExecutionFailed> => {
    const hit = deps.cache.get(sql);
    if (hit) {
      prepared.release();
      return okAsync({ result: hit, cached: true });
    }
    const generation = deps.cache.generation(dependsOn);
    return prepared.run().map((result) => {
      deps.cache.set(sql, result, dependsOn, generation);
      return { result, cached: false };
    });
  };

  const execute = async (
    id: string,
    sql: string,
    dependsOn: CacheDependency,
    prepared: PreparedQuery,
    started: StoredEvent,
    correlation: EventMetadata,
  ) => {
    // Read your writes: the query sees at least everything stored before it started.
    await deps.engine.waitFor(started.globalSequence, catchUpWaitMs);
    const t0 = now();
    const outcome = await runQuery(sql, dependsOn, prepared);
    const durationMs = Math.round((now() - t0) * 1000) / 1000;
    const metadata: EventMetadata = { ...correlation, causationId: started.id };
    // Kept before QueryCompleted is stored, so whoever sees the event can show the rows.
    if (outcome.isOk()) results.keep(id, outcome.value.result);
    const recorded = await (outcome.isOk()
      ? on(
          id,
          (now) => ({
            type: 'CompleteQuery',
            data: {
              id,
              rowCount: outcome.value.result.rows.length,
              durationMs,
              truncated: outcome.value.result.truncated,
              cached: outcome.value.cached,
              now,
            },
          }),
          metadata,
        )
      : on(
          id,
          (now) => ({ type: 'FailQuery', data: { id, error: outcome.error.message, now } }),
          metadata,
        ));
    if (recorded.isOk()) deps.onEvents?.(recorded.value.events);
    else deps.onError?.(recorded.error);
  };

  return {
    /** `client` keys the per-client cap (the caller's address). */
    start(
      input: StartQueryInput,
      metadata: EventMetadata = {},
      client = 'local',
    ): ResultAsync<StartedQuery, StartQueryError> {
      const resolved = resolve(input);
      if (resolved.isErr()) return errAsync(resolved.error);
      const { sql, name, dependsOn } = resolved.value;
      // Taken before the first await, so concurrent starts can never pass the caps together.
      const slot = slots.acquire(client);
      if ('type' in slot) return errAsync(slot);
      return deps.engine
        .prepare(sql, deps.limits)
        .mapErr((e): StartQueryError => e)
        .andThen((prepared) =>
          commands
            .send(
              {
                command: ({ aggregateId, now }) => ({
                  type: 'StartQuery',
                  data: { id: aggregateId, sql, name, now },
                }),
              },
              { metadata },
            )
            .map((outcome) => ({ outcome, prepared }))
            .mapErr((e): StartQueryError => {
              prepared.release();
              return e;
            }),
        )
        .map(({ outcome, prepared }) => {
          const id = outcome.aggregateId;
          deps.onEvents?.(outcome.events);
          const started = outcome.events[0];
          if (!started) throw new Error('StartQuery stored no event');
          // Its completion is recorded for the same actor, in the same correlation.
          const correlation: EventMetadata = {
            ...(metadata.correlationId === undefined
              ? {}
              : { correlationId: metadata.correlationId }),
            ...(metadata.actor === undefined ? {} : { actor: metadata.actor }),
          };
          const finished = execute(id, sql, dependsOn, prepared, started, correlation)
            .catch((error: unknown) => deps.onError?.(error))
            .finally(() => {
              inFlight.delete(finished);
              slot.release();
            });
          inFlight.add(finished);
          return { id, sequence: outcome.sequence, finished };
        })
        .mapErr((e) => {
          slot.release();
          return e;
        });
    },
    /**
     * Ends sessions that cannot still be running anywhere (started longer ago than the time
     * limit plus `graceMs`): a process died while it ran them. A process that does finish one
     * later is refused by the decider (QueryAlreadyFinished), so nothing is recorded twice.
     */
    async failAbandoned(
      executing: Iterable<{ readonly id: string; readonly startedAt: string }>,
      graceMs = 10_000,
    ): Promise<number> {
      const cutoff = Date.parse(deps.clock()) - deps.limits.timeoutMs - catchUpWaitMs - graceMs;
      let failed = 0;
      for (const session of executing) {
        if (!(Date.parse(session.startedAt) < cutoff)) continue;
        const recorded = await on(session.id, (now) => ({
          type: 'FailQuery',
          data: { id: session.id, error: 'abandoned: the server stopped while the query ran', now },
        }));
        if (recorded.isOk()) {
          failed++;
          deps.onEvents?.(recorded.value.events);
        } else if (recorded.error.type !== 'Rejected') {
          // Rejected: another process ended it first, which is fine.
          deps.onError?.(recorded.error);
        }
      }
      return failed;
    },
    /** The rows of a recent session, while they are kept. */
    result: (id: string): QueryResult | undefined => results.get(id),
    /** Slots held now (planning or running). */
    inFlight: () => slots.inUse(),
    /** Waits for running sessions to be recorded (used at shutdown). */
    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };
};

export type QuerySessionService = ReturnType<typeof createQuerySessionService>;
