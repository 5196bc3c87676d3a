import { err, ok, type Result } from 'neverthrow';
import { type ValidationError, validationError } from '../validation';

export type TodoId = string & { readonly __brand: 'TodoId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const TodoId = {
  /** Accepts a UUID in canonical 8-4-4-4-12 form; stores it lower-cased. */
  parse(raw: unknown): Result<TodoId, ValidationError> {
    if (typeof raw !== 'string' || !UUID.test(raw)) {
      return err(validationError('id', 'id must be a UUID'));
    }
    return ok(raw.toLowerCase() as TodoId);
  },
};
