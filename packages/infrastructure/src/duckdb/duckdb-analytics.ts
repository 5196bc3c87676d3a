import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AnalyticsEngine,
  AnalyticsUnavailable,
  EventBus,
  EventStore,
  HeadSource,
  PreparedQuery,
  PrepareRefusal,
  QueryExecutionFailed,
  QueryLimits,
  QueryResult,
  SqlRefused,
  StoredEvent,
} from '@ironstar/application';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type EngineClient, EngineGone, spawnEngineProcess } from './duckdb-engine-client';
import { withinDeadline } from './engine-deadline';
import { type EngineFeed, feedEngine } from './engine-feed';

const MB = 2 ** 20;

export type DuckDbAnalyticsOptions = {
  readonly store: Pick<EventStore, 'readAll' | 'head'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  /** DuckDB's memory_limit (queries and the projection's data), in bytes. */
  readonly memoryLimitBytes?: number;
  /** How much DuckDB may spill into its private temp folder, in bytes. */
  readonly tempMaxBytes?: number;
  readonly threads?: number;
  /** Queries the engine runs at once (the service's cap); sizes its thread pool. */
  readonly maxConcurrentQueries?: number;
  /** The engine process is killed past this resident size (default memory limit + 512 MB). */
  readonly rssLimitBytes?: number;
  /** After a time limit, how long an interrupted query has to stop before its engine is killed. */
  readonly graceMs?: number;
  /** Events appended per batch; live events are flushed as soon as the loop is idle. */
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
  readonly onFellBehind?: () => void;
  /** The engine process ended and is being rebuilt from the store. */
  readonly onRestart?: (reason: string) => void;
  /** Store heads, so events the bus lost are found even when nothing follows them. */
  readonly heads?: HeadSource;
  /**
   * A DuckDB file the projection is kept in: a start (or an engine's restart) catches up from
   * what it holds instead of re-reading every event. Absent: in memory, rebuilt at each start.
   */
  readonly path?: string;
  /** `path` could not be used (another process holds it, or it is damaged): kept in memory. */
  readonly onNotKept?: (reason: string) => void;
};

const NO_ENGINE = 'the analytics engine is not running (starting or restarting); try again shortly';

const refused = (message: string): SqlRefused => ({ type: 'SqlRefused', message });
const unavailable = (message: string): AnalyticsUnavailable => ({
  type: 'AnalyticsUnavailable',
  message,
});
const failed = (message: string, timedOut = false): QueryExecutionFailed => ({
  type: 'QueryExecutionFailed',
  message,
  timedOut,
});

/**
 * The analytics projection: every stored event in one DuckDB table, in a sealed engine process
 * (see duckdb-engine-process.ts), rebuilt from the store at start and after the engine is
 * killed, and kept current by a catch-up subscription. A query is checked against an
 * allow-list, planned and run under one time limit; one that does not stop when interrupted
 * gets its engine SIGKILLed, so no query can hold a thread, the heap or shutdown.
 */
export const createDuckDbAnalytics = async (options: DuckDbAnalyticsOptions) => {
  const memoryLimitBytes = options.memoryLimitBytes ?? 512 * MB;
  const batchSize = options.batchSize ?? 1000;
  const graceMs = options.graceMs ?? 1000;
  const root = await mkdtemp(join(tmpdir(), 'ironstar-duckdb-'));

  let engine: EngineClient | undefined;
  let feed: EngineFeed | undefined;
  let incarnation = 0;
  let restarts: number[] = [];
  let respawn: NodeJS.Timeout | undefined;
  let closed = false;
  let stopping = false;
  let applied = 0;
  let nextQuery = 1;
  const listeners = new Set<(types: ReadonlySet<string>, position: number) => void>();
  const waiters = new Set<{ sequence: number; resolve: (reached: boolean) => void }>();
  const awaitingEngine = new Set<(client: EngineClient | undefined) => void>();

  /** The running engine, or the next one to start within `ms` (a query waits out a restart). */
  const engineWithin = (ms: number): Promise<EngineClient | undefined> => {
    if (engine || closed || stopping) return Promise.resolve(engine);
    return new Promise((resolve) => {
      const take = (client: EngineClient | undefined) => {
        clearTimeout(timer);
        awaitingEngine.delete(take);
        resolve(client);
      };
      const timer = setTimeout(() => take(undefined), Math.max(0, ms));
      awaitingEngine.add(take);
    });
  };

  /** The engine appended `batch`: move the position, tell listeners and waiters. */
  const applyBatch = (batch: readonly StoredEvent[]) => {
    applied = batch.at(-1)?.globalSequence ?? applied;
    const types = new Set(batch.map((e) => e.aggregateType));
    for (const listener of listeners) listener(types, applied);
    for (const waiter of waiters) {
      if (applied >= waiter.sequence) {
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  };

  /** Starts an engine process and its projection; resolves once caught up with the head. */
  const launch = async (): Promise<void> => {
    const self = ++incarnation;
    const head = await options.store.head();
    if (head.isErr()) throw new Error(`cannot start analytics: ${head.error.message}`);
    const tempDirectory = join(root, `spill-${self}`);
    await mkdir(tempDirectory);
    const client = await spawnEngineProcess({
      settings: {
        tempDirectory,
        memoryLimitBytes,
        tempMaxBytes: options.tempMaxBytes ?? 256 * MB,
        threads: options.threads ?? 2,
        ...(options.path === undefined ? {} : { path: options.path }),
      },
      heapMb: 256,
      rssLimitBytes: options.rssLimitBytes ?? memoryLimitBytes + 512 * MB,
      threadpool: (options.maxConcurrentQueries ?? 4) + 2,
      onExit: (reason) => {
        void rm(tempDirectory, { recursive: true, force: true });
        if (self === incarnation) restart(reason);
      },
    });
    if (closed || self !== incarnation) {
      client.kill('analytics closed');
      return;
    }
    const from = await keptPosition(client, head.value);
    if (closed || self !== incarnation) {
      client.kill('analytics closed');
      return;
    }
    applied = from;
    engine = client;
    for (const take of [...awaitingEngine]) take(client);
    feed = feedEngine({
      client,
      store: options.store,
      bus: options.bus,
      ...(options.heads ? { heads: options.heads } : {}),
      batchSize,
      after: from,
      head: head.value,
      current: () => self === incarnation,
      onApplied: applyBatch,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
    });
    const died = client.exited.then(() => {
      throw new Error('the analytics engine stopped while it was being rebuilt');
    });
    await Promise.race([feed.caughtUp, died]);
    // A long catch-up leaves a long log in the file: fold it in now, not at the next open.
    if (options.path !== undefined && head.value - from > batchSize) {
      await client.call({ op: 'checkpoint' }).catch(() => {});
    }
  };

  /**
   * Where a kept table lets the feed start: its last sequence, if it holds exactly events
   * 1..last and the store's event `last` is the one it holds (the same store, not one
   * replaced under the same path); otherwise it is emptied and the feed starts at 0.
   */
  const keptPosition = async (client: EngineClient, head: number): Promise<number> => {
    const state = await client.call({ op: 'state' });
    if (options.path !== undefined && state.persisted !== true)
      options.onNotKept?.(state.persisted);
    if (state.count === 0) return 0;
    if (state.count === state.last && state.last <= head && state.lastId !== null) {
      const at = await options.store.readAll({ after: state.last - 1, limit: 1 });
      if (at.isErr()) throw new Error(`cannot start analytics: ${at.error.message}`);
      if (at.value[0]?.id === state.lastId) return state.last;
    }
    await client.call({ op: 'reset' });
    return 0;
  };

  // A launch that failed without its engine dying (which schedules its own) is tried again.
  const retry = () => {
    if (!closed && !stopping && !engine && respawn === undefined) scheduleLaunch();
  };

  /** Launches now or after a back-off that grows while the engine keeps dying; retries failures. */
  const scheduleLaunch = () => {
    const now = Date.now();
    restarts = [...restarts.filter((t) => now - t < 60_000), now];
    const delay = restarts.length <= 1 ? 0 : Math.min(30_000, 250 * 2 ** (restarts.length - 2));
    respawn = setTimeout(() => {
      respawn = undefined;
      launch().catch((error: unknown) => {
        options.onError?.(error);
        retry();
      });
    }, delay);
  };

  /** The engine died: stop feeding it, forget its rows, and rebuild it from the store. */
  const restart = (reason: string) => {
    incarnation++;
    engine = undefined;
    void feed?.stop();
    feed = undefined;
    applied = 0;
    if (closed || stopping) return;
    options.onRestart?.(reason);
    scheduleLaunch();
  };

  const runPrepared = (
    client: EngineClient,
    query: number,
    limits: QueryLimits,
    budgetMs: number,
  ): ResultAsync<QueryResult, QueryExecutionFailed> => {
    const position = applied;
    const run = client.call({
      op: 'run',
      query,
      maxRows: limits.maxRows,
      maxBytes: limits.maxBytes,
    });
    return ResultAsync.fromSafePromise(
      withinDeadline(client, query, budgetMs, graceMs, run),
    ).andThen((outcome) => {
      if ('ok' in outcome) {
        const { columns, rows, truncatedBy, bytes } = outcome.ok;
        return okAsync({
          columns,
          rows,
          truncated: truncatedBy !== null,
          truncatedBy,
          bytes,
          position,
        });
      }
      if ('timedOut' in outcome)
        return errAsync(failed(`stopped at the ${limits.timeoutMs} ms time limit`, true));
      const { error } = outcome;
      return errAsync(failed(error instanceof Error ? error.message : String(error)));
    });
  };

  const prepare = (
    sql: string,
    limits: QueryLimits,
  ): ResultAsync<PreparedQuery, PrepareRefusal> => {
    const started = performance.now();
    const left = () => limits.timeoutMs - (performance.now() - started);
    return ResultAsync.fromSafePromise(engineWithin(limits.timeoutMs)).andThen((client) =>
      client ? plan(client, sql, limits, left) : errAsync(unavailable(NO_ENGINE)),
    );
  };

  /** Checks and plans on `client` with what is `left` of the time limit. */
  const plan = (
    client: EngineClient,
    sql: string,
    limits: QueryLimits,
    left: () => number,
  ): ResultAsync<PreparedQuery, PrepareRefusal> => {
    const query = nextQuery++;
    const planned = client.call({ op: 'prepare', query, sql });
    return ResultAsync.fromSafePromise(
      withinDeadline(client, query, left(), graceMs, planned),
    ).andThen((outcome): ResultAsync<PreparedQuery, PrepareRefusal> => {
      if ('timedOut' in outcome) {
        client.call({ op: 'release', query }).catch(() => {});
        return errAsync(
          refused(`planning the query took longer than the ${limits.timeoutMs} ms time limit`),
        );
      }
      if ('error' in outcome) {
        const { error } = outcome;
        if (error instanceof EngineGone) return errAsync(unavailable(error.message));
        return errAsync(refused(error instanceof Error ? error.message : String(error)));
      }
      const budgetMs = left();
      let used = false;
      return okAsync({
        run: () => {
          used = true;
          return runPrepared(client, query, limits, budgetMs);
        },
        release: () => {
          if (!used) client.call({ op: 'release', query }).catch(() => {});
          used = true;
        },
      });
    });
  };

  return {
    /** Starts the engine and rebuilds from the store; resolves once caught up with the head at start. */
    async start(): Promise<void> {
      if (incarnation > 0) throw new Error('analytics projection already started');
      await launch().catch((error: unknown) => {
        retry(); // keep trying in the background
        throw error;
      });
    },
    prepare,
    /** Prepares and runs in one go (tests, tools). */
    execute: (sql: string, limits: QueryLimits) =>
      prepare(sql, limits).andThen((prepared) => prepared.run()),
    position: () => applied,
    waitFor(sequence: number, timeoutMs: number): Promise<boolean> {
      if (applied >= sequence) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = {
          sequence,
          resolve: (reached: boolean) => {
            clearTimeout(timer);
            resolve(reached);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    onApplied(listener: (types: ReadonlySet<string>, position: number) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Rows in the projection (for tests). */
    async count(): Promise<number> {
      if (!engine) throw new Error('the analytics engine is not running');
      return engine.call({ op: 'count' });
    },
    /** The engine process's pid while it runs (for memory figures and tests). */
    pid: (): number | undefined => engine?.pid,
    /** Whether an engine process runs now (not starting, nor restarting after a kill). */
    running: (): boolean => engine !== undefined,
    /** Kills the engine with `reason` (its queries fail with it); it is then rebuilt. */
    kill(reason: string): void {
      engine?.kill(reason);
    },
    /** Ends running queries at once, with a clear reason (at shutdown, so their sessions can be recorded). */
    interruptAll(): void {
      stopping = true;
      for (const take of [...awaitingEngine]) take(undefined);
      engine?.kill('stopped: the server shut down');
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(respawn);
      for (const take of [...awaitingEngine]) take(undefined);
      await feed?.stop();
      const client = engine;
      client?.kill('analytics closed');
      await client?.exited;
      for (const waiter of waiters) waiter.resolve(false);
      await rm(root, { recursive: true, force: true });
    },
  } satisfies AnalyticsEngine & Record<string, unknown>;
};

export type DuckDbAnalytics = Awaited<ReturnType<typeof createDuckDbAnalytics>>;
