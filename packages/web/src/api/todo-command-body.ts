import { TodoId, TodoText, type ValidationError } from '@ironstar/domain';
import { err, type Result } from 'neverthrow';

/** A command as the HTTP API accepts it, validated. Fields a type does not use are ignored. */
export type TodoCommandBody =
  | { readonly type: 'create'; readonly text: TodoText }
  | { readonly type: 'rename'; readonly id: TodoId; readonly text: TodoText }
  | { readonly type: 'complete' | 'reopen' | 'delete'; readonly id: TodoId };

export const TODO_COMMAND_TYPES = ['create', 'rename', 'complete', 'reopen', 'delete'] as const;

const invalid = (field: string, message: string): ValidationError => ({
  type: 'ValidationError',
  field,
  message,
});

export const parseTodoCommandBody = (body: unknown): Result<TodoCommandBody, ValidationError> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return err(invalid('body', 'body must be a JSON object'));
  }
  const raw = body as Record<string, unknown>;
  switch (raw.type) {
    case 'create':
      return TodoText.parse(raw.text).map((text) => ({ type: 'create', text }));
    case 'rename':
      return TodoId.parse(raw.id).andThen((id) =>
        TodoText.parse(raw.text).map((text) => ({ type: 'rename' as const, id, text })),
      );
    case 'complete':
    case 'reopen':
    case 'delete': {
      const type = raw.type;
      return TodoId.parse(raw.id).map((id) => ({ type, id }));
    }
    default:
      return err(invalid('type', `type must be one of ${TODO_COMMAND_TYPES.join(', ')}`));
  }
};
