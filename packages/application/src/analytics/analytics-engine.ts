import type { ResultAsync } from 'neverthrow';

/** One column of a result, with the engine's type name (e.g. BIGINT, VARCHAR, TIMESTAMP). */
export type ResultColumn = { readonly name: string; readonly type: string };

/** Rows as JSON-safe cells (numbers, strings, booleans, null). */
export type QueryResult = {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly unknown[])[];
  /** More rows existed than the row limit allowed. */
  readonly truncated: boolean;
  /** Global sequence the projection had applied when the query ran. */
  readonly position: number;
};

/** The SQL is not one read-only statement, or does not parse: nothing was run. */
export type SqlRefused = { readonly type: 'SqlRefused'; readonly message: string };

/** The query ran and failed, or was stopped at its time limit. */
export type QueryExecutionFailed = {
  readonly type: 'QueryExecutionFailed';
  readonly message: string;
  readonly timedOut: boolean;
};

export type QueryLimits = { readonly timeoutMs: number; readonly maxRows: number };

/** The port of the analytics projection: a queryable copy of the event log. */
export type AnalyticsEngine = {
  /** Accepts exactly one read-only statement; parses it without running it. */
  check(sql: string): ResultAsync<void, SqlRefused>;
  execute(
    sql: string,
    limits: QueryLimits,
  ): ResultAsync<QueryResult, SqlRefused | QueryExecutionFailed>;
  /** Global sequence of the last event the projection holds. */
  position(): number;
  /** Resolves true once `position() >= sequence`, false after `timeoutMs`. */
  waitFor(sequence: number, timeoutMs: number): Promise<boolean>;
  /** Called with the aggregate types of each batch of events applied (for cache invalidation). */
  onApplied(listener: (aggregateTypes: ReadonlySet<string>, position: number) => void): () => void;
};
