import { assertNever, type Decider, type Message } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';
import type { SqlText } from './sql-text';

export const QUERY_SESSION_AGGREGATE_TYPE = 'QuerySession';

// Commands. The application starts a session, runs the query once QueryStarted is stored,
// then records how it ended; ids, time and measurements arrive in the commands.
export type StartQuery = Message<
  'StartQuery',
  { id: string; sql: SqlText; name: string | null; now: string }
>;
export type CompleteQuery = Message<
  'CompleteQuery',
  {
    id: string;
    rowCount: number;
    durationMs: number;
    truncated: boolean;
    cached: boolean;
    now: string;
  }
>;
export type FailQuery = Message<'FailQuery', { id: string; error: string; now: string }>;
export type QuerySessionCommand = StartQuery | CompleteQuery | FailQuery;

export type QueryStarted = Message<
  'QueryStarted',
  { id: string; sql: string; name: string | null; startedAt: string }
>;
export type QueryCompleted = Message<
  'QueryCompleted',
  {
    id: string;
    rowCount: number;
    durationMs: number;
    truncated: boolean;
    cached: boolean;
    completedAt: string;
  }
>;
export type QueryFailed = Message<'QueryFailed', { id: string; error: string; failedAt: string }>;
export type QuerySessionEvent = QueryStarted | QueryCompleted | QueryFailed;

/** Pending → Executing → Completed | Failed. */
export type QuerySessionState =
  | { readonly status: 'pending' }
  | { readonly status: 'executing'; readonly id: string; readonly sql: string }
  | { readonly status: 'completed' | 'failed'; readonly id: string };

export type QuerySessionError =
  | { readonly type: 'QueryAlreadyStarted'; readonly id: string }
  | { readonly type: 'QueryNotStarted'; readonly id: string }
  | {
      readonly type: 'QueryAlreadyFinished';
      readonly id: string;
      readonly status: 'completed' | 'failed';
    }
  | { readonly type: 'InvalidMeasurement'; readonly id: string; readonly message: string };

export const initialState = (): QuerySessionState => ({ status: 'pending' });

// Each event fully determines the next state; the previous one is not needed.
export const evolve = (_state: QuerySessionState, event: QuerySessionEvent): QuerySessionState => {
  switch (event.type) {
    case 'QueryStarted':
      return { status: 'executing', id: event.data.id, sql: event.data.sql };
    case 'QueryCompleted':
      return { status: 'completed', id: event.data.id };
    case 'QueryFailed':
      return { status: 'failed', id: event.data.id };
    default:
      return assertNever(event);
  }
};

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** Only an executing session can end, and only once. */
const executing = (state: QuerySessionState, id: string): Result<void, QuerySessionError> => {
  if (state.status === 'pending') return err({ type: 'QueryNotStarted', id });
  if (state.status !== 'executing') {
    return err({ type: 'QueryAlreadyFinished', id, status: state.status });
  }
  return ok(undefined);
};

type Decided = Result<readonly QuerySessionEvent[], QuerySessionError>;

export const decide = (command: QuerySessionCommand, state: QuerySessionState): Decided => {
  const { id } = command.data;
  switch (command.type) {
    case 'StartQuery': {
      if (state.status !== 'pending') return err({ type: 'QueryAlreadyStarted', id });
      const { sql, name, now } = command.data;
      return ok([{ type: 'QueryStarted', data: { id, sql, name, startedAt: now } }]);
    }
    case 'CompleteQuery': {
      const { rowCount, durationMs, truncated, cached, now } = command.data;
      return executing(state, id).andThen((): Decided => {
        if (!isCount(rowCount) || !Number.isFinite(durationMs) || durationMs < 0) {
          const message = 'rowCount and durationMs must be non-negative';
          return err({ type: 'InvalidMeasurement', id, message });
        }
        const completedAt = now;
        return ok([
          {
            type: 'QueryCompleted',
            data: { id, rowCount, durationMs, truncated, cached, completedAt },
          },
        ]);
      });
    }
    case 'FailQuery': {
      const { error, now } = command.data;
      return executing(state, id).map(() => [
        { type: 'QueryFailed', data: { id, error, failedAt: now } },
      ]);
    }
    default:
      return assertNever(command);
  }
};

export const querySessionDecider: Decider<
  QuerySessionCommand,
  QuerySessionEvent,
  QuerySessionState,
  QuerySessionError
> = { initialState, evolve, decide };
