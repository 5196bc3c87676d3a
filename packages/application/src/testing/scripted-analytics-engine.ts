import { errAsync, okAsync } from 'neverthrow';
import type { AnalyticsEngine, QueryResult } from '../analytics/analytics-engine';

/**
 * An AnalyticsEngine for unit tests of the core and the web routes: it runs no SQL. It refuses
 * text containing `;` or not starting with SELECT/WITH, fails text containing `sleep`, and
 * answers anything else with `answer(sql)`. The real engine (DuckDB) has its own tests.
 */
export const createScriptedAnalyticsEngine = (
  answer: (sql: string) => Omit<QueryResult, 'position'> = () => ({
    columns: [{ name: 'n', type: 'BIGINT' }],
    rows: [[1]],
    truncated: false,
  }),
) => {
  let position = 0;
  let executions = 0;
  const listeners = new Set<(types: ReadonlySet<string>, position: number) => void>();
  const refused = (sql: string) => sql.includes(';') || !/^\s*(select|with)\b/i.test(sql);
  const engine: AnalyticsEngine & {
    apply(aggregateType: string, position: number): void;
    executions(): number;
  } = {
    check: (sql) =>
      refused(sql)
        ? errAsync({ type: 'SqlRefused', message: 'only a single read-only SELECT is allowed' })
        : okAsync(undefined),
    execute(sql) {
      if (refused(sql)) {
        return errAsync({
          type: 'SqlRefused',
          message: 'only a single read-only SELECT is allowed',
        });
      }
      executions++;
      if (sql.includes('sleep')) {
        return errAsync({
          type: 'QueryExecutionFailed',
          message: 'stopped at the time limit',
          timedOut: true,
        });
      }
      return okAsync({ ...answer(sql), position });
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
  };
  return engine;
};
