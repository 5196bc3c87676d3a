import { err, ok, type Result } from 'neverthrow';
import { type ValidationError, validationError } from '../validation';

export type TodoText = string & { readonly __brand: 'TodoText' };

export const TODO_TEXT_MAX = 500;

// Control characters (including newlines) would make a one-line label ambiguous.
const CONTROL = /\p{Cc}/u;

export const TodoText = {
  /** Trims, then requires 1 to 500 characters (code points) with no control characters. */
  parse(raw: unknown): Result<TodoText, ValidationError> {
    if (typeof raw !== 'string') return err(validationError('text', 'text must be a string'));
    const text = raw.trim();
    const length = [...text].length;
    if (length < 1 || length > TODO_TEXT_MAX) {
      return err(validationError('text', `text must be 1-${TODO_TEXT_MAX} characters`));
    }
    if (CONTROL.test(text)) {
      return err(validationError('text', 'text must not contain control characters'));
    }
    return ok(text as TodoText);
  },
};
