export { assertNever } from './assert-never';
export { type Decider, fold, type Message } from './decider';
export {
  type CompleteQuery,
  decide as decideQuerySession,
  evolve as evolveQuerySession,
  type FailQuery,
  initialState as initialQuerySessionState,
  QUERY_SESSION_AGGREGATE_TYPE,
  QUERY_SESSION_EVENT_TYPES,
  type QueryCompleted,
  type QueryFailed,
  type QuerySessionCommand,
  type QuerySessionError,
  type QuerySessionEvent,
  type QuerySessionState,
  type QueryStarted,
  querySessionDecider,
  type StartQuery,
} from './query-session/query-session-decider';
export { SQL_TEXT_MAX, SqlText } from './query-session/sql-text';
export type { Upcaster } from './upcaster';
export { isUuid } from './uuid';
export { type ValidationError, validationError } from './validation';
