import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { type CsrfPolicy, csrfRefusal } from '../auth/csrf';
import { errorJson } from '../http-errors';
import type { HostPolicy } from './host-policy';
import { decodeJsonBody, readBounded } from './json-body';
import { readBoundedNode, unreadNodeBody } from './node-body';

/** The largest body any route takes (commands); stricter routes keep their own limit. */
export const MAX_BODY_BYTES = 64 * 1024;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isJsonContentType = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType);

// Ids that are stored in events' metadata: exactly what the request-id middleware and the
// correlation middleware keep, so a stored id is always the one the client sent.
const STORED_ID_HEADERS = [
  { name: 'X-Request-Id', pattern: /^[\w=-]{1,128}$/, chars: 'letters, digits, _, - and =' },
  {
    name: 'X-Correlation-Id',
    pattern: /^[\w.:-]{1,128}$/,
    chars: 'letters, digits, _, -, . and :',
  },
] as const;

/** The size of each body the guard read and checked, by the request it came with. */
const checkedSizes = new WeakMap<object, number>();

/**
 * A route's own, stricter limit on a JSON body (413 via `onError` above it). A body the guard
 * read is measured where it is, in Hono's body cache; Hono's bodyLimit would build a web
 * Request to stream it again. Anything else (no guard, another content type) goes to Hono's.
 */
export const jsonBodyLimit = (options: {
  readonly maxSize: number;
  readonly onError: (c: Context<AppEnv>) => Response | Promise<Response>;
}): MiddlewareHandler<AppEnv> => {
  const fallback = bodyLimit(options);
  return async (c, next) => {
    const size = checkedSizes.get(c.req);
    if (size === undefined) return fallback(c, next);
    if (size > options.maxSize) return options.onError(c);
    await next();
  };
};

/**
 * The boundary every request crosses before routing: a Host the server answers to (421
 * otherwise), and for state-changing requests: with the session cookie, our own Origin (403
 * `forbidden`, see csrf.ts), an allowed Origin (403), stored id headers in
 * their exact shape (400), and a JSON body that is bounded, valid UTF-8, not too deep and free
 * of lone surrogates (413 / 400), whatever route it is for.
 */
export const boundaryGuard =
  (policy: HostPolicy, csrf?: CsrfPolicy): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const host = c.req.header('host');
    // The URL's host is the Host header, or the request target's in absolute form
    // (`GET http://evil.example/ HTTP/1.1`), which HTTP says wins over the header.
    const urlHost = new URL(c.req.url).host;
    if ((host !== undefined && !policy.allowsHost(host)) || !policy.allowsHost(urlHost)) {
      return errorJson(
        c,
        'misdirected_request',
        'this server does not answer for that host (see ALLOWED_HOSTS)',
      );
    }
    if (!UNSAFE_METHODS.has(c.req.method)) return next();

    // Before any content-type check: a cross-site text/plain or form post is refused too.
    const refused = csrf ? csrfRefusal(c, csrf) : undefined;
    if (refused !== undefined) return errorJson(c, 'forbidden', refused);

    const origin = c.req.header('origin');
    if (origin !== undefined && !policy.allowsOrigin(origin)) {
      return errorJson(c, 'forbidden_origin', 'requests from that origin are not accepted');
    }
    if (c.req.header('sec-fetch-site') === 'cross-site') {
      return errorJson(c, 'forbidden_origin', 'cross-site requests are not accepted');
    }
    for (const { name, pattern, chars } of STORED_ID_HEADERS) {
      const value = c.req.header(name);
      if (value !== undefined && !pattern.test(value)) {
        return errorJson(c, 'validation', `${name} must be 1-128 ${chars}`);
      }
    }

    if (!isJsonContentType(c.req.header('content-type'))) return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) return tooLarge(c);
    const incoming = unreadNodeBody(c.env);
    const bytes = incoming
      ? await readBoundedNode(incoming, MAX_BODY_BYTES)
      : await readBounded(c.req.raw.body, MAX_BODY_BYTES);
    if (bytes.isErr()) {
      return bytes.error.type === 'TooLarge'
        ? tooLarge(c)
        : errorJson(c, 'malformed', 'the body was cut off');
    }
    const parsed = decodeJsonBody(bytes.value);
    if (parsed.isErr()) {
      const error = parsed.error;
      return error.type === 'Invalid'
        ? errorJson(c, 'validation', error.message)
        : error.type === 'Malformed'
          ? errorJson(c, 'malformed', error.message)
          : tooLarge(c);
    }
    // The route reads the very bytes that were checked: c.req.json() / text() / arrayBuffer()
    // answer from Hono's body cache, never from the request again (its body has been read:
    // routes must not read c.req.raw.body). Hono keeps promises there; its type says strings.
    const cache = c.req.bodyCache as Record<string, unknown>;
    cache.text = Promise.resolve(parsed.value.text);
    cache.arrayBuffer = Promise.resolve(bytes.value.buffer);
    checkedSizes.set(c.req, bytes.value.byteLength);
    // Off Node the web request's body was read: a fresh one with the same bytes keeps it
    // readable (Hono's bodyLimit reads it). Under Node nothing is rebuilt: that cost is what
    // reading Node's request spares (Hono's bodyLimit only reads a body without a length).
    if (!incoming) c.req.raw = new Request(c.req.raw, { body: bytes.value });
    return next();
  };

const tooLarge = (c: Parameters<typeof errorJson>[0]) =>
  errorJson(c, 'payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
