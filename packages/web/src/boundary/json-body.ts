import { err, ok, type Result } from 'neverthrow';

/** Nesting no command needs; bounds the walk below, whatever the body. */
export const MAX_JSON_DEPTH = 32;

export type JsonBodyError =
  | { readonly type: 'TooLarge' }
  | { readonly type: 'Malformed'; readonly message: string }
  | { readonly type: 'Invalid'; readonly message: string };

/** Reads at most `limit` bytes of a body; more is `TooLarge` and the rest is not read. */
export const readBounded = async (
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Result<Uint8Array<ArrayBuffer>, JsonBodyError>> => {
  if (!body) return ok(new Uint8Array(0));
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return err({ type: 'TooLarge' });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return ok(bytes);
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Parses a JSON body strictly: valid UTF-8 (not silently repaired), valid JSON, at most
 * MAX_JSON_DEPTH deep, and every string, keys included, well-formed Unicode. A `\ud800`
 * escape parses to a lone surrogate, which no event may carry: strict JSON readers and
 * SQLite's JSON functions reject it, and stored events are never rewritten.
 */
export const parseJsonBody = (bytes: Uint8Array): Result<unknown, JsonBodyError> =>
  decodeJsonBody(bytes).map(({ value }) => value);

/** As parseJsonBody, also giving the decoded text, so a route can read it without decoding again. */
export const decodeJsonBody = (
  bytes: Uint8Array,
): Result<{ readonly text: string; readonly value: unknown }, JsonBodyError> => {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return err({ type: 'Malformed', message: 'body is not valid UTF-8' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err({ type: 'Malformed', message: 'body is not valid JSON' });
  }
  return checkJson(value).map(() => ({ text, value }));
};

/** Walks a parsed JSON value without recursion (its depth is what is being checked). */
export const checkJson = (value: unknown): Result<void, JsonBodyError> => {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, depth } = item;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return invalid('a string is not well-formed Unicode');
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      return invalid(`JSON may be nested at most ${MAX_JSON_DEPTH} levels deep`);
    }
    if (Array.isArray(current)) {
      for (const element of current) stack.push({ value: element, depth: depth + 1 });
      continue;
    }
    for (const [key, element] of Object.entries(current)) {
      if (LONE_SURROGATE.test(key)) return invalid('a key is not well-formed Unicode');
      stack.push({ value: element, depth: depth + 1 });
    }
  }
  return ok(undefined);
};

const invalid = (message: string) => err({ type: 'Invalid' as const, message });
