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
export {
  type CompleteTodo,
  type CreateTodo,
  type DeleteTodo,
  decide as decideTodo,
  evolve as evolveTodo,
  initialState as initialTodoState,
  type RenameTodo,
  type ReopenTodo,
  TODO_AGGREGATE_TYPE,
  TODO_EVENT_TYPES,
  type TodoCommand,
  type TodoCompleted,
  type TodoCreated,
  type TodoDeleted,
  type TodoError,
  type TodoEvent,
  type TodoRenamed,
  type TodoReopened,
  type TodoState,
  todoDecider,
} from './todo/todo-decider';
export { TodoId } from './todo/todo-id';
export { TODO_PRIORITIES, TodoPriority } from './todo/todo-priority';
export { TODO_TEXT_MAX, TodoText } from './todo/todo-text';
export { TODO_EVENT_VERSIONS, todoUpcasters } from './todo/todo-upcasters';
export type { Upcaster } from './upcaster';
export { isUuid } from './uuid';
export { type ValidationError, validationError } from './validation';
