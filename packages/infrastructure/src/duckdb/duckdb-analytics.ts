import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampValue,
  StatementType,
} from '@duckdb/node-api';
import {
  type AnalyticsEngine,
  type CatchUpSubscription,
  type EventBus,
  type EventStore,
  type HeadSource,
  type QueryExecutionFailed,
  type QueryLimits,
  type QueryResult,
  type SqlRefused,
  type StoredEvent,
  subscribeFrom,
} from '@ironstar/application';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';

export type DuckDbAnalyticsOptions = {
  readonly store: Pick<EventStore, 'readAll' | 'head'>;
  readonly bus: Pick<EventBus, 'subscribe'>;
  /** DuckDB's memory_limit for the whole instance (queries included). */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Queries running at once; later ones wait (their time limit keeps running). */
  readonly maxConcurrentQueries?: number;
  /** Events appended per batch; live events are flushed as soon as the loop is idle. */
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
  readonly onFellBehind?: () => void;
  /** Store heads, so events the bus lost are found even when nothing follows them. */
  readonly heads?: HeadSource;
};

const TABLE = `CREATE TABLE events (
  global_sequence BIGINT PRIMARY KEY,
  id VARCHAR NOT NULL,
  aggregate_type VARCHAR NOT NULL,
  aggregate_id VARCHAR NOT NULL,
  aggregate_sequence INTEGER NOT NULL,
  event_type VARCHAR NOT NULL,
  event_version INTEGER NOT NULL,
  payload JSON,
  metadata JSON,
  created_at TIMESTAMP NOT NULL
)`;

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

const refused = (message: string): SqlRefused => ({ type: 'SqlRefused', message });

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'query failed';

/**
 * The analytics projection: every stored event in one DuckDB table, rebuilt from the store at
 * start and kept current by a catch-up subscription. Queries run on their own connection,
 * must be exactly one SELECT (decided by DuckDB's own parser, not by looking at the text),
 * cannot touch files (enable_external_access = false), and are interrupted at their time limit.
 */
export const createDuckDbAnalytics = async (options: DuckDbAnalyticsOptions) => {
  const instance = await DuckDBInstance.create(':memory:', {
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    memory_limit: options.memoryLimit ?? '512MB',
    threads: String(options.threads ?? 2),
  });
  const writer = await instance.connect();
  await writer.run(TABLE);
  const batchSize = options.batchSize ?? 1000;
  const maxConcurrent = options.maxConcurrentQueries ?? 2;

  let applied = 0;
  let pending: StoredEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let scheduled = false;
  let subscription: CatchUpSubscription | undefined;
  let closed = false;
  let stopping = false;
  const listeners = new Set<(types: ReadonlySet<string>, position: number) => void>();
  const waiters = new Set<{ sequence: number; resolve: (reached: boolean) => void }>();
  const running = new Set<DuckDBConnection>();
  let slots = maxConcurrent;
  const queue: Array<() => void> = [];

  const appendBatch = async (batch: readonly StoredEvent[]) => {
    const appender = await writer.createAppender('events');
    try {
      for (const e of batch) {
        appender.appendBigInt(BigInt(e.globalSequence));
        appender.appendVarchar(e.id);
        appender.appendVarchar(e.aggregateType);
        appender.appendVarchar(e.aggregateId);
        appender.appendInteger(e.aggregateSequence);
        appender.appendVarchar(e.eventType);
        appender.appendInteger(e.eventVersion);
        appender.appendVarchar(JSON.stringify(e.payload ?? null));
        if (e.metadata === null) appender.appendNull();
        else appender.appendVarchar(JSON.stringify(e.metadata));
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(e.createdAt)) * 1000n));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const last = batch.at(-1);
    if (!last) return;
    applied = last.globalSequence;
    const types = new Set(batch.map((e) => e.aggregateType));
    for (const listener of listeners) listener(types, applied);
    for (const waiter of waiters) {
      if (applied >= waiter.sequence) {
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  };

  // One flush at a time, in order; a failed flush stops the projection (it would leave a gap).
  const flush = () => {
    flushing = flushing.then(async () => {
      const batch = pending;
      pending = [];
      if (batch.length > 0) await appendBatch(batch);
    });
    return flushing;
  };

  const handle = async (event: StoredEvent) => {
    pending.push(event);
    if (pending.length >= batchSize) return flush();
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush().catch((error: unknown) => options.onError?.(error));
      });
    }
  };

  const acquire = () =>
    new Promise<void>((resolve) => {
      if (slots > 0) {
        slots--;
        resolve();
      } else queue.push(resolve);
    });
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else slots++;
  };

  /** Parses `sql` and prepares its one statement, refusing anything but a single SELECT. */
  const prepareSelect = async (connection: DuckDBConnection, sql: string) => {
    let extracted: Awaited<ReturnType<DuckDBConnection['extractStatements']>>;
    try {
      extracted = await connection.extractStatements(sql);
    } catch (error) {
      return refused(
        `the SQL does not parse: ${messageOf(error).replace(/^.*?Parser Error: /, '')}`,
      );
    }
    if (extracted.count !== 1) {
      return refused(`only one statement is allowed; got ${extracted.count}`);
    }
    let prepared: Awaited<ReturnType<typeof extracted.prepare>>;
    try {
      prepared = await extracted.prepare(0);
    } catch (error) {
      return refused(messageOf(error));
    }
    if (prepared.statementType !== StatementType.SELECT) {
      const kind = StatementType[prepared.statementType] ?? 'another kind of';
      prepared.destroySync();
      return refused(`only a read-only SELECT is allowed; this is a ${kind} statement`);
    }
    return prepared;
  };

  const run = async (sql: string, limits: QueryLimits): Promise<QueryResult> => {
    let timedOut = false;
    let connection: DuckDBConnection | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      connection?.interrupt();
    }, limits.timeoutMs);
    const timeLimit = (): QueryExecutionFailed => ({
      type: 'QueryExecutionFailed',
      message: `stopped at the ${limits.timeoutMs} ms time limit`,
      timedOut: true,
    });
    await acquire();
    try {
      if (timedOut) throw timeLimit();
      if (closed)
        throw { type: 'QueryExecutionFailed', message: 'analytics closed', timedOut: false };
      connection = await instance.connect();
      running.add(connection);
      if (stopping) throw new Error('stopped while connecting'); // reported as shut down below
      const position = applied;
      const prepared = await prepareSelect(connection, sql);
      if ('type' in prepared) throw prepared;
      try {
        const reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
        const types = reader.columnTypes().map(String);
        const numeric = types.map((t) => NUMERIC.test(t));
        const rows = reader
          .getRowsJson()
          .slice(0, limits.maxRows)
          .map((row) =>
            row.map((cell, i) => {
              if (!numeric[i] || typeof cell !== 'string') return cell;
              const n = Number(cell);
              return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : cell;
            }),
          );
        return {
          columns: reader.columnNames().map((name, i) => ({ name, type: types[i] ?? '' })),
          rows,
          truncated: reader.currentRowCount > limits.maxRows,
          position,
        };
      } finally {
        prepared.destroySync();
      }
    } catch (error) {
      if (timedOut) throw timeLimit();
      if (stopping)
        throw {
          type: 'QueryExecutionFailed',
          message: 'stopped: the server shut down',
          timedOut: false,
        };
      if (typeof error === 'object' && error !== null && 'type' in error) throw error;
      throw { type: 'QueryExecutionFailed', message: messageOf(error), timedOut: false };
    } finally {
      clearTimeout(timer);
      if (connection) {
        running.delete(connection);
        connection.disconnectSync();
      }
      release();
    }
  };

  const engine = {
    /** Rebuilds from the store, then follows the bus; resolves once caught up with the head at start. */
    async start(): Promise<void> {
      if (subscription) throw new Error('analytics projection already started');
      const head = await options.store.head();
      if (head.isErr()) throw new Error(`cannot start analytics: ${head.error.message}`);
      let reached: () => void = () => {};
      const caughtUp = new Promise<void>((resolve) => {
        reached = resolve;
      });
      subscription = subscribeFrom({
        store: options.store,
        bus: options.bus,
        after: 0,
        handle,
        onCaughtUp: (position) => {
          if (position >= head.value) void flush().then(reached, reached);
        },
        ...(options.onFellBehind ? { onFellBehind: options.onFellBehind } : {}),
        ...(options.heads ? { heads: options.heads } : {}),
        onStoreError: (error) => options.onError?.(error),
      });
      subscription.done.catch((error: unknown) => options.onError?.(error));
      await caughtUp;
    },
    check(sql: string): ResultAsync<void, SqlRefused> {
      return ResultAsync.fromSafePromise(
        (async () => {
          const connection = await instance.connect();
          try {
            const prepared = await prepareSelect(connection, sql);
            if ('type' in prepared) return prepared;
            prepared.destroySync();
            return undefined;
          } finally {
            connection.disconnectSync();
          }
        })(),
      ).andThen((problem) => (problem ? errAsync(problem) : okAsync(undefined)));
    },
    execute(sql: string, limits: QueryLimits) {
      return ResultAsync.fromPromise(
        run(sql, limits),
        (error) => error as SqlRefused | QueryExecutionFailed,
      );
    },
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
    /** Rows in the projection (for the system page and tests). */
    async count(): Promise<number> {
      const reader = await writer.runAndReadAll('SELECT count(*) FROM events');
      return Number(reader.getRowsJson()[0]?.[0] ?? 0);
    },
    /** Stops running and waiting queries at once (at shutdown, so their sessions can be recorded). */
    interruptAll(): void {
      stopping = true;
      for (const connection of running) connection.interrupt();
    },
    async close(): Promise<void> {
      closed = true;
      subscription?.stop();
      await subscription?.done.catch(() => {});
      await flushing.catch(() => {});
      for (const connection of running) connection.interrupt();
      while (slots < maxConcurrent) await new Promise((resolve) => setTimeout(resolve, 5));
      for (const waiter of waiters) waiter.resolve(false);
      writer.disconnectSync();
      instance.closeSync();
    },
  } satisfies AnalyticsEngine & Record<string, unknown>;
  return engine;
};

export type DuckDbAnalytics = Awaited<ReturnType<typeof createDuckDbAnalytics>>;
