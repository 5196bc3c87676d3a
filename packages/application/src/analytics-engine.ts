import type { ResultAsync } from 'neverthrow';

/** One column of a result, with the engine's type name (e.g. BIGINT, VARCHAR, TIMESTAMP). */
export type ResultColumn = { readonly name: string; readonly type: string };

/** Rows as JSON-safe cells (numbers, strings, booleans, null). */
export type QueryResult = {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly unknown[])[];
  /** More rows existed than the row or byte limit let through. */
  readonly truncated: boolean;
  /** Which limit cut the rows short, or null. */
  readonly truncatedBy: 'rows' | 'bytes' | null;
  /** Size of `rows` as JSON, in bytes: what caches and pages count. */
  readonly bytes: number;
  /** Global sequence the projection had applied when the query ran. */
  readonly position: number;
};

/** The SQL is not allowed, does not parse or bind, or cannot be planned in time: nothing ran. */
export type SqlRefused = { readonly type: 'SqlRefused'; readonly message: string };

/** The engine cannot take queries now (starting, or restarting after it was killed). */
export type AnalyticsUnavailable = {
  readonly type: 'AnalyticsUnavailable';
  readonly message: string;
};

/** Why a query was not planned: not allowed, or no engine to plan it. */
export type PrepareRefusal = SqlRefused | AnalyticsUnavailable;

/** The query ran and failed, was stopped at its time limit, or its engine was killed. */
export type QueryExecutionFailed = {
  readonly type: 'QueryExecutionFailed';
  readonly message: string;
  readonly timedOut: boolean;
};

export type QueryLimits = {
  /** Planning and running together, in milliseconds. */
  readonly timeoutMs: number;
  readonly maxRows: number;
  /** Rows stop before their JSON passes this many bytes. */
  readonly maxBytes: number;
};

/** A checked and planned query, held by the engine until it is run once or released. */
export type PreparedQuery = {
  /** Runs it with what is left of the time limit after planning. */
  run(): ResultAsync<QueryResult, QueryExecutionFailed>;
  release(): void;
};

/** The port of the analytics projection: a queryable copy of the event log. */
export type AnalyticsEngine = {
  /**
   * Checks `sql` against what a query may name and plans it, under the time limit; nothing
   * runs yet. The plan must be run or released.
   */
  prepare(sql: string, limits: QueryLimits): ResultAsync<PreparedQuery, PrepareRefusal>;
  /** Global sequence of the last event the projection holds. */
  position(): number;
  /** Resolves true once `position() >= sequence`, false after `timeoutMs`. */
  waitFor(sequence: number, timeoutMs: number): Promise<boolean>;
  /** Called with the aggregate types of each batch of events applied (for cache invalidation). */
  onApplied(listener: (aggregateTypes: ReadonlySet<string>, position: number) => void): () => void;
};
