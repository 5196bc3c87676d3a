import { err, ok, type Result } from 'neverthrow';
import { type ValidationError, validationError } from '../validation';

/** The text of an analytics query as a person typed it; whether it is read-only is the engine's call. */
export type SqlText = string & { readonly __brand: 'SqlText' };

export const SQL_TEXT_MAX = 10_000;

export const SqlText = {
  /** Trims, then requires 1 to 10,000 characters and no NUL (which some parsers stop at). */
  parse(raw: unknown): Result<SqlText, ValidationError> {
    if (typeof raw !== 'string') return err(validationError('sql', 'sql must be a string'));
    const sql = raw.trim();
    if (sql.length < 1 || sql.length > SQL_TEXT_MAX) {
      return err(validationError('sql', `sql must be 1-${SQL_TEXT_MAX} characters`));
    }
    if (sql.includes('\u0000')) return err(validationError('sql', 'sql must not contain NUL'));
    return ok(sql as SqlText);
  },
};
