import { mapProjectionOf } from '@ironstar/application';
import { assertNever } from '@ironstar/domain';
import { querySessionAggregate } from './query-session-aggregate';

/** Sessions in start order; the runner owns the map and `evolve` updates it in place. */
export type QuerySessions = Map<string, QuerySessionView>;

export type QuerySessionView = {
  readonly id: string;
  readonly sql: string;
  /** The saved query's name, or null for SQL typed by hand. */
  readonly name: string | null;
  readonly status: 'executing' | 'completed' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly rowCount: number | null;
  readonly durationMs: number | null;
  readonly truncated: boolean;
  readonly cached: boolean;
  readonly error: string | null;
  /** Global sequence of the session's last event. */
  readonly updatedSequence: number;
};

export const querySessionsProjection = mapProjectionOf(querySessionAggregate, {
  name: 'query-sessions',
  version: 1,
  evolve(sessions: QuerySessions, event, stored) {
    const updatedSequence = stored.globalSequence;
    if (event.type === 'QueryStarted') {
      const { id, sql, name, startedAt } = event.data;
      sessions.set(id, {
        id,
        sql,
        name,
        status: 'executing',
        startedAt,
        finishedAt: null,
        rowCount: null,
        durationMs: null,
        truncated: false,
        cached: false,
        error: null,
        updatedSequence,
      });
      return sessions;
    }
    const session = sessions.get(event.data.id);
    if (!session) return sessions;
    switch (event.type) {
      case 'QueryCompleted': {
        const { rowCount, durationMs, truncated, cached, completedAt } = event.data;
        return sessions.set(session.id, {
          ...session,
          status: 'completed',
          finishedAt: completedAt,
          rowCount,
          durationMs,
          truncated,
          cached,
          updatedSequence,
        });
      }
      case 'QueryFailed': {
        const { error, failedAt } = event.data;
        return sessions.set(session.id, {
          ...session,
          status: 'failed',
          finishedAt: failedAt,
          error,
          updatedSequence,
        });
      }
      default:
        return assertNever(event);
    }
  },
});
