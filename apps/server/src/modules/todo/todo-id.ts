import { isUuid, type ValidationError, validationError } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export type TodoId = string & { readonly __brand: 'TodoId' };

export const TodoId = {
  /** Accepts a UUID in canonical 8-4-4-4-12 form; stores it lower-cased. */
  parse(raw: unknown): Result<TodoId, ValidationError> {
    if (!isUuid(raw)) {
      return err(validationError('id', 'id must be a UUID'));
    }
    return ok(raw.toLowerCase() as TodoId);
  },
};
