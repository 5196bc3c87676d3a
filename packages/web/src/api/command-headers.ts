import { type ValidationError, validationError } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

// Printable ASCII, as Stripe and the IETF draft allow for keys.
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header or the body's `commandId`; both given must agree. */
export const parseCommandId = (
  header: string | undefined,
  body: unknown,
): Result<string | undefined, ValidationError> => {
  const field = (body as { commandId?: unknown } | null)?.commandId;
  if (field !== undefined && (typeof field !== 'string' || !KEY.test(field))) {
    return err(validationError('commandId', 'commandId must be 1-255 printable ASCII characters'));
  }
  if (header !== undefined && !KEY.test(header)) {
    return err(
      validationError(
        'Idempotency-Key',
        'Idempotency-Key must be 1-255 printable ASCII characters',
      ),
    );
  }
  if (header !== undefined && field !== undefined && header !== field) {
    return err(validationError('commandId', 'Idempotency-Key and commandId differ'));
  }
  return ok(header ?? field);
};

/** If-Match as a stream version: `"3"` (or `W/"3"`, or a bare 3); `noun` names the aggregate. */
export const parseIfMatch = (
  header: string | undefined,
  noun: string,
): Result<number | undefined, ValidationError> => {
  if (header === undefined) return ok(undefined);
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  return match?.[1] === undefined
    ? err(validationError('If-Match', `If-Match must be the ETag of a ${noun}, like "3"`))
    : ok(Number(match[1]));
};
