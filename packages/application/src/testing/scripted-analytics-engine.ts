import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type {
  AnalyticsEngine,
  PreparedQuery,
  QueryExecutionFailed,
  QueryResult,
} from '../analytics-engine';

/**
 * An AnalyticsEngine for unit tests of the core and the web routes: it runs no SQL. It refuses
 * text containing `;` or not starting with SELECT/WITH, fails text containing `sleep`, holds
 * text containing `hold` until `releaseHeld()`, is unavailable for text containing
 * `unavailable`, and answers anything else with `answer(sql)`.
 * Planning takes a turn of the event loop, as a real engine's does. The real engine (DuckDB)
 * has its own tests.
 */
export const createScriptedAnalyticsEngine = (
  answer: (sql: string) => Omit<QueryResult, 'position'> = () => ({
    columns: [{ name: 'n', type: 'BIGINT' }],
    rows: [[1]],
    truncated: false,
    truncatedBy: null,
    bytes: 5,
  }),
) => {
  let position = 0;
  let executions = 0;
  let prepared = 0;
  let released = 0;
  let held: Array<() => void> = [];
  const listeners = new Set<(types: ReadonlySet<string>, position: number) => void>();
  const refused = (sql: string) => sql.includes(';') || !/^\s*(select|with)\b/i.test(sql);

  const run = async (sql: string): Promise<QueryResult> => {
    executions++;
    if (sql.includes('hold')) await new Promise<void>((resolve) => held.push(resolve));
    if (sql.includes('sleep')) {
      throw {
        type: 'QueryExecutionFailed',
        message: 'stopped at the time limit',
        timedOut: true,
      } satisfies QueryExecutionFailed;
    }
    return { ...answer(sql), position };
  };

  const engine: AnalyticsEngine & {
    apply(aggregateType: string, position: number): void;
    executions(): number;
    /** Plans made and not yet run or released. */
    open(): number;
    /** Lets every held query finish. */
    releaseHeld(): void;
  } = {
    prepare(sql) {
      if (refused(sql)) {
        return errAsync({
          type: 'SqlRefused',
          message: 'only a single read-only SELECT is allowed',
        });
      }
      if (sql.includes('unavailable')) {
        return errAsync({
          type: 'AnalyticsUnavailable',
          message: 'the analytics engine is restarting',
        });
      }
      const plan = new Promise<void>((resolve) => setImmediate(resolve));
      return ResultAsync.fromSafePromise(plan).andThen(() => {
        prepared++;
        let done = false;
        const finish = () => {
          if (!done) released++;
          done = true;
        };
        return okAsync<PreparedQuery>({
          run: () => {
            finish();
            return ResultAsync.fromPromise(run(sql), (e) => e as QueryExecutionFailed);
          },
          release: finish,
        });
      });
    },
    position: () => position,
    waitFor: async (sequence) => position >= sequence,
    onApplied(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Pretends the projection applied an event. */
    apply(aggregateType, at) {
      position = at;
      for (const listener of listeners) listener(new Set([aggregateType]), at);
    },
    executions: () => executions,
    open: () => prepared - released,
    releaseHeld() {
      const waiting = held;
      held = [];
      for (const resolve of waiting) resolve();
    },
  };
  return engine;
};
