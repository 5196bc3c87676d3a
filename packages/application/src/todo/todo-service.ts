import {
  TODO_AGGREGATE_TYPE,
  type TodoCommand,
  type TodoError,
  type TodoId,
  type TodoText,
  todoDecider,
} from '@ironstar/domain';
import type { ResultAsync } from 'neverthrow';
import { type CommandError, type CommandOutcome, createCommandHandler } from '../command-handler';
import type { EventBus } from '../event-bus';
import type { EventMetadata, EventStore } from '../event-store';

export type TodoServiceDeps = {
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Current time as an ISO-8601 string. */
  readonly clock: () => string;
  /** A new UUID (for todos and for events). */
  readonly newId: () => string;
  readonly maxAttempts?: number;
  readonly onPublishError?: (error: unknown) => void;
};

export type TodoResult = ResultAsync<CommandOutcome, CommandError<TodoError>>;

/** The todo use cases: turns validated input into commands, stamping ids and time. */
export const createTodoService = (deps: TodoServiceDeps) => {
  const handler = createCommandHandler({
    store: deps.store,
    bus: deps.bus,
    decider: todoDecider,
    aggregateType: TODO_AGGREGATE_TYPE,
    newEventId: deps.newId,
    ...(deps.maxAttempts === undefined ? {} : { maxAttempts: deps.maxAttempts }),
    ...(deps.onPublishError ? { onPublishError: deps.onPublishError } : {}),
  });
  const send = (id: TodoId, command: TodoCommand, metadata?: EventMetadata): TodoResult =>
    handler.handle(id, command, metadata);

  return {
    create: (text: TodoText, metadata?: EventMetadata) => {
      const id = deps.newId() as TodoId;
      return send(id, { type: 'CreateTodo', data: { id, text, now: deps.clock() } }, metadata);
    },
    rename: (id: TodoId, text: TodoText, metadata?: EventMetadata) =>
      send(id, { type: 'RenameTodo', data: { id, text } }, metadata),
    complete: (id: TodoId, metadata?: EventMetadata) =>
      send(id, { type: 'CompleteTodo', data: { id, now: deps.clock() } }, metadata),
    reopen: (id: TodoId, metadata?: EventMetadata) =>
      send(id, { type: 'ReopenTodo', data: { id } }, metadata),
    delete: (id: TodoId, metadata?: EventMetadata) =>
      send(id, { type: 'DeleteTodo', data: { id } }, metadata),
  };
};

export type TodoService = ReturnType<typeof createTodoService>;
