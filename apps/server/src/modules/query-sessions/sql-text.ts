import { type ValidationError, validationError } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

/** The text of an analytics query as a person typed it; whether it is read-only is the engine's call. */
export type SqlText = string & { readonly __brand: 'SqlText' };

export const SQL_TEXT_MAX = 10_000;

// String.prototype.isWellFormed is in Node 20 but not in the ES2023 lib the project compiles to.
const isWellFormed = (text: string) =>
  (text as string & { isWellFormed(): boolean }).isWellFormed();

export const SqlText = {
  /**
   * Trims, then requires 1 to 10,000 characters, no NUL (which some parsers stop at) and no
   * lone surrogate (which has no UTF-8 form, so the engine would see other text than we store).
   */
  parse(raw: unknown): Result<SqlText, ValidationError> {
    if (typeof raw !== 'string') return err(validationError('sql', 'sql must be a string'));
    const sql = raw.trim();
    if (sql.length < 1 || sql.length > SQL_TEXT_MAX) {
      return err(validationError('sql', `sql must be 1-${SQL_TEXT_MAX} characters`));
    }
    if (sql.includes('\u0000')) return err(validationError('sql', 'sql must not contain NUL'));
    if (!isWellFormed(sql)) {
      return err(validationError('sql', 'sql must be well-formed Unicode (no lone surrogates)'));
    }
    return ok(sql as SqlText);
  },
};
