import { TodoId, TodoPriority, TodoText, type ValidationError } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

/** A command as the HTTP API accepts it, validated. Fields a type does not use are ignored. */
export type TodoCommandBody =
  | { readonly type: 'create'; readonly text: TodoText; readonly priority: TodoPriority }
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
      return TodoText.parse(raw.text).andThen((text) =>
        TodoPriority.parse(raw.priority).map((priority) => ({
          type: 'create' as const,
          text,
          priority,
        })),
      );
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

// Printable ASCII, as Stripe and the IETF draft allow for keys.
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header or the body's `commandId`; both given must agree. */
export const parseCommandId = (
  header: string | undefined,
  body: unknown,
): Result<string | undefined, ValidationError> => {
  const field = (body as { commandId?: unknown } | null)?.commandId;
  if (field !== undefined && (typeof field !== 'string' || !KEY.test(field))) {
    return err(invalid('commandId', 'commandId must be 1-255 printable ASCII characters'));
  }
  if (header !== undefined && !KEY.test(header)) {
    return err(
      invalid('Idempotency-Key', 'Idempotency-Key must be 1-255 printable ASCII characters'),
    );
  }
  if (header !== undefined && field !== undefined && header !== field) {
    return err(invalid('commandId', 'Idempotency-Key and commandId differ'));
  }
  return ok(header ?? field);
};

/** If-Match as a stream version: `"3"` (or `W/"3"`, or a bare 3). */
export const parseIfMatch = (
  header: string | undefined,
): Result<number | undefined, ValidationError> => {
  if (header === undefined) return ok(undefined);
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  return match?.[1] === undefined
    ? err(invalid('If-Match', 'If-Match must be the ETag of a todo, like "3"'))
    : ok(Number(match[1]));
};
