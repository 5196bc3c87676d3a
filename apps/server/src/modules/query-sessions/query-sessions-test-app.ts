import { createScriptedAnalyticsEngine } from '@ironstar/application/testing';
import { createTestApp, type TestAppOptions } from '@ironstar/web/testing';
import { TODO_SAVED_QUERIES } from '../todo/todo-saved-queries';
import { querySessionsModule } from './query-sessions-module';
import { EVENT_LOG_QUERIES } from './saved-queries';

/**
 * The framework's test app (the production runtime, in memory) running the query-sessions
 * module over the scripted engine, which "applies" each event as the bus delivers it.
 */
export const createAnalyticsTestApp = async (
  options: Omit<TestAppOptions, 'modules'> & {
    /** What the scripted engine answers (default: one row, [[1]]). */
    answer?: Parameters<typeof createScriptedAnalyticsEngine>[0];
  } = {},
) => {
  const { answer, ...rest } = options;
  const engine = createScriptedAnalyticsEngine(answer);
  const t = await createTestApp({
    ...rest,
    modules: [
      querySessionsModule({
        engine: async ({ bus }) => {
          bus.subscribe('events/', (e) => engine.apply(e.aggregateType, e.globalSequence));
          return { ...engine, start: async () => {} };
        },
        limits: { timeoutMs: 1000, maxRows: 100, maxBytes: 64 * 1024 },
        cacheTtlMs: 60_000,
        savedQueries: [...EVENT_LOG_QUERIES, ...TODO_SAVED_QUERIES],
      }),
    ],
  });
  return { ...t, engine };
};
