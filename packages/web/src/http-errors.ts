import type { CommandError } from '@ironstar/application';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SECURITY_HEADERS } from './boundary/security-headers';

/** Each error code's status, in this one place: a code means the same status everywhere. */
const STATUS = {
  malformed: 400,
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  forbidden_origin: 403,
  not_found: 404,
  invalid_transition: 409,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  misdirected_request: 421,
  idempotency_key_reused: 422,
  sql_refused: 422,
  busy: 429,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof STATUS;

/** An HTTP error answer: its status, the `{ "error": { code, message } }` body, and headers. */
export type Problem = {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
};

export const problem = (
  code: ErrorCode,
  message: string,
  headers?: Readonly<Record<string, string>>,
): Problem => ({ status: STATUS[code], code, message, ...(headers ? { headers } : {}) });

/** Thrown by a route for a typed HTTP answer; `app.onError` turns it into the error body. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly problem: Problem;
  constructor(answer: Problem) {
    super(answer.message, { cause: answer });
    this.problem = answer;
  }
}

/** The one error body: `{ "error": { "code", "message" } }`, with the problem's headers. */
export const respond = (c: Context, answer: Problem) => {
  for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value);
  return c.json({ error: { code: answer.code, message: answer.message } }, answer.status);
};

export const errorJson = (c: Context, code: ErrorCode, message: string) =>
  respond(c, problem(code, message));

/** The same body outside a route (written before or past Hono's middleware). */
export const problemResponse = (answer: Problem): Response =>
  new Response(JSON.stringify({ error: { code: answer.code, message: answer.message } }), {
    status: answer.status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json', ...answer.headers },
  });

/** A read that could not reach the event store. */
export const storeUnavailable = (message = 'the event store is unavailable') =>
  problem('unavailable', message);

/** What a module says about one of its domain errors: usually `problem('not_found', …)`. */
export type DomainErrorAnswer = Problem;

/**
 * Each of a module's domain errors (by its `type`) as an HTTP answer, or as a function of the
 * error when the message needs its details. Every error type must be listed.
 */
export type DomainErrorAnswers<Err extends { readonly type: string }> = {
  readonly [K in Err['type']]:
    | DomainErrorAnswer
    | ((error: Extract<Err, { readonly type: K }>) => DomainErrorAnswer);
};

/**
 * Every way a command can fail, as HTTP, in this one place: the module's own domain errors
 * through its `errors` map, the rest the same for every aggregate (`noun` names it).
 */
export const commandProblem = <Err extends { readonly type: string }>(
  error: CommandError<Err>,
  module: { readonly noun: string; readonly errors: DomainErrorAnswers<Err> },
): Problem => {
  switch (error.type) {
    case 'Rejected': {
      // Indexed by the error's own type: the answer is the one listed for it.
      const answer = (
        module.errors as Readonly<
          Record<string, DomainErrorAnswer | ((error: Err) => DomainErrorAnswer)>
        >
      )[error.error.type];
      if (answer === undefined) throw new Error(`no HTTP answer for ${error.error.type}`);
      return typeof answer === 'function' ? answer(error.error) : answer;
    }
    case 'Conflict':
      return problem('conflict', error.message);
    case 'PreconditionFailed':
      return problem(
        'precondition_failed',
        `the ${module.noun} is at version ${error.actual}, not ${error.expected}; nothing was changed`,
        { ETag: `"${error.actual}"` },
      );
    case 'IdempotencyMismatch':
      return problem(
        'idempotency_key_reused',
        'this Idempotency-Key was already used for a different command',
      );
    case 'StoreUnavailable':
      return problem('unavailable', 'the event store is unavailable; nothing was stored', {
        'Retry-After': '1',
      });
  }
};
