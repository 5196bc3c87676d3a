import { type ValidationError, validationError } from '@ironstar/domain';
import { type DomainErrorAnswers, type HttpCommand, type JsonObject, problem } from '@ironstar/web';
import { err, type Result } from 'neverthrow';
import type { TodoCommand, TodoError } from './todo-decider';
import { TodoId } from './todo-id';
import { TodoPriority } from './todo-priority';
import { TodoText } from './todo-text';

type TodoHttpCommand = HttpCommand<TodoCommand>;

// The commands that name one todo and nothing else.
const ON_ONE_TODO = {
  complete: (id, now, actor) => ({ type: 'CompleteTodo', data: { id, now, actor } }),
  reopen: (id, _, actor) => ({ type: 'ReopenTodo', data: { id, actor } }),
  delete: (id, _, actor) => ({ type: 'DeleteTodo', data: { id, actor } }),
  restore: (id, _, actor) => ({ type: 'RestoreTodo', data: { id, actor } }),
} satisfies Record<string, (id: TodoId, now: string, actor: string) => TodoCommand>;

export const TODO_COMMAND_TYPES = [
  'create',
  'rename',
  'prioritize',
  'complete',
  'reopen',
  'delete',
  'restore',
] as const;

/**
 * `POST /api/commands/todo`: a body to a todo command. Fields a type does not use are
 * ignored; `input` is what a retry under the same Idempotency-Key must repeat.
 */
export const parseTodoCommand = (body: JsonObject): Result<TodoHttpCommand, ValidationError> => {
  switch (body.type) {
    case 'create':
      return TodoText.parse(body.text).andThen((text) =>
        TodoPriority.parse(body.priority).map(
          (priority): TodoHttpCommand => ({
            name: 'create',
            input: { type: 'create', text, priority },
            command: ({ aggregateId, now, actor }) => ({
              type: 'CreateTodo',
              // The framework made the id up: a UUID, like every TodoId.
              data: { id: aggregateId as TodoId, text, priority, now, actor },
            }),
          }),
        ),
      );
    case 'rename':
      return TodoId.parse(body.id).andThen((id) =>
        TodoText.parse(body.text).map(
          (text): TodoHttpCommand => ({
            name: 'rename',
            aggregateId: id,
            input: { type: 'rename', id, text },
            command: ({ actor }) => ({ type: 'RenameTodo', data: { id, text, actor } }),
          }),
        ),
      );
    case 'prioritize':
      return TodoId.parse(body.id).andThen((id) =>
        TodoPriority.parse(body.priority).map(
          (priority): TodoHttpCommand => ({
            name: 'prioritize',
            aggregateId: id,
            input: { type: 'prioritize', id, priority },
            command: ({ actor }) => ({
              type: 'ChangeTodoPriority',
              data: { id, priority, actor },
            }),
          }),
        ),
      );
    case 'complete':
    case 'reopen':
    case 'delete':
    case 'restore': {
      const type = body.type;
      return TodoId.parse(body.id).map(
        (id): TodoHttpCommand => ({
          name: type,
          aggregateId: id,
          input: { type, id },
          command: ({ now, actor }) => ON_ONE_TODO[type](id, now, actor),
        }),
      );
    }
    default:
      return err(validationError('type', `type must be one of ${TODO_COMMAND_TYPES.join(', ')}`));
  }
};

/**
 * A missing todo is a 404, and so is another user's (the decider refuses it as missing);
 * every other refusal an invalid transition (409).
 */
export const todoErrors: DomainErrorAnswers<TodoError> = {
  TodoNotFound: problem('not_found', 'no such todo'),
  TodoAlreadyExists: problem('invalid_transition', 'todo already exists'),
  TodoIsDeleted: problem('invalid_transition', 'todo is deleted'),
  TodoAlreadyCompleted: problem('invalid_transition', 'todo is already completed'),
  TodoNotCompleted: problem('invalid_transition', 'todo is not completed'),
  TodoNotDeleted: problem('invalid_transition', 'todo is not deleted'),
};
