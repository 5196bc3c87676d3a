import type { TodoCommand, TodoError, TodoId, TodoPriority, TodoText } from '@ironstar/domain';
import type { ResultAsync } from 'neverthrow';
import {
  type CommandError,
  type CommandOutcome,
  createCommandHandler,
  type HandleOptions,
  type SnapshotPolicy,
} from '../command-handler';
import type { EventBus } from '../event-bus';
import type { EventStore } from '../event-store';
import { todoAggregate } from './todo-aggregate';

export type TodoServiceDeps = {
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Current time as an ISO-8601 string. */
  readonly clock: () => string;
  /** A new UUID (for todos, events and command ids). */
  readonly newId: () => string;
  readonly snapshots?: SnapshotPolicy;
  readonly maxAttempts?: number;
  readonly stateCacheSize?: number;
  readonly onPublishError?: (error: unknown) => void;
};

export type TodoResult = ResultAsync<CommandOutcome, CommandError<TodoError>>;

/** The todo use cases: turns validated input into commands, stamping ids and time. */
export const createTodoService = (deps: TodoServiceDeps) => {
  const handler = createCommandHandler({
    store: deps.store,
    bus: deps.bus,
    aggregate: todoAggregate,
    newEventId: deps.newId,
    ...(deps.snapshots ? { snapshots: deps.snapshots } : {}),
    ...(deps.maxAttempts === undefined ? {} : { maxAttempts: deps.maxAttempts }),
    ...(deps.stateCacheSize === undefined ? {} : { stateCacheSize: deps.stateCacheSize }),
    ...(deps.onPublishError ? { onPublishError: deps.onPublishError } : {}),
  });
  const send = (id: TodoId, command: TodoCommand, options?: HandleOptions): TodoResult =>
    handler.handle(id, command, options);

  return {
    create: (text: TodoText, priority: TodoPriority, options?: HandleOptions) => {
      const id = deps.newId() as TodoId;
      return send(
        id,
        { type: 'CreateTodo', data: { id, text, priority, now: deps.clock() } },
        // We just made the id up: there is nothing to read.
        { ...options, isNew: true },
      );
    },
    rename: (id: TodoId, text: TodoText, options?: HandleOptions) =>
      send(id, { type: 'RenameTodo', data: { id, text } }, options),
    complete: (id: TodoId, options?: HandleOptions) =>
      send(id, { type: 'CompleteTodo', data: { id, now: deps.clock() } }, options),
    reopen: (id: TodoId, options?: HandleOptions) =>
      send(id, { type: 'ReopenTodo', data: { id } }, options),
    delete: (id: TodoId, options?: HandleOptions) =>
      send(id, { type: 'DeleteTodo', data: { id } }, options),
    /** Current state of one todo, through snapshots when configured. */
    load: (id: TodoId) => handler.load(id),
  };
};

export type TodoService = ReturnType<typeof createTodoService>;
