import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'malformed'
  | 'validation'
  | 'not_found'
  | 'invalid_transition'
  | 'conflict'
  | 'precondition_failed'
  | 'idempotency_key_reused'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'sql_refused'
  | 'busy'
  | 'misdirected_request'
  | 'forbidden_origin'
  | 'internal';

/** The one error body: `{ "error": { "code", "message" } }`. */
export const errorJson = (
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
) => c.json({ error: { code, message } }, status);
