import { encodeSseMessage } from '../sse/sse-frame';

/**
 * Everything that knows Datastar's wire format and action syntax lives here, so the move
 * from 1.0.0-beta.11 (`datastar-merge-fragments`) to v1 (`datastar-patch-elements`) is one file.
 */
export const DATASTAR_VERSION = '1.0.0-beta.11';
/** Served by our server from node_modules (never a CDN). */
export const DATASTAR_SCRIPT_PATH = `/static/datastar-${DATASTAR_VERSION}.js`;
/** Header the client sends on every Datastar request. */
export const DATASTAR_REQUEST_HEADER = 'Datastar-Request';

export type MergeMode =
  | 'morph'
  | 'inner'
  | 'outer'
  | 'prepend'
  | 'append'
  | 'before'
  | 'after'
  | 'upsertAttributes';

/** Morphs HTML (whose top-level elements carry ids, or match `selector`) into the page. */
export const mergeFragments = (
  html: string,
  options: { id?: number | string; selector?: string; mergeMode?: MergeMode } = {},
): string =>
  encodeSseMessage({
    event: 'datastar-merge-fragments',
    ...(options.id === undefined ? {} : { id: options.id }),
    data: [
      ...(options.selector ? [`selector ${options.selector}`] : []),
      ...(options.mergeMode && options.mergeMode !== 'morph'
        ? [`mergeMode ${options.mergeMode}`]
        : []),
      ...html.split(/\r\n|\r|\n/).map((line) => `fragments ${line}`),
    ],
  });

/** Removes every element matching a CSS selector (matching none is not an error). */
export const removeFragments = (selector: string, options: { id?: number | string } = {}): string =>
  encodeSseMessage({
    event: 'datastar-remove-fragments',
    ...(options.id === undefined ? {} : { id: options.id }),
    data: [`selector ${selector}`],
  });

/** Sets client signals from a JSON object. */
export const mergeSignals = (
  signals: Record<string, unknown>,
  options: { id?: number | string; onlyIfMissing?: boolean } = {},
): string =>
  encodeSseMessage({
    event: 'datastar-merge-signals',
    ...(options.id === undefined ? {} : { id: options.id }),
    data: [
      ...(options.onlyIfMissing ? ['onlyIfMissing true'] : []),
      `signals ${JSON.stringify(signals)}`,
    ],
  });

export type SseActionOptions = {
  /** Keep retrying for ever (the client's default gives up after 10 failures). */
  readonly retryForever?: boolean;
  readonly retryMaxWaitMs?: number;
  /** First wait before a retry, and what each failure multiplies it by (1: a steady pace). */
  readonly retryInterval?: number;
  readonly retryScaler?: number;
  readonly openWhenHidden?: boolean;
  /** Extra request headers (names and values are written as JS string literals). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Extra request headers whose values are Datastar expressions, evaluated when the action
   * runs (never put user text in one: only signals and code the server wrote).
   */
  readonly headerExpressions?: Readonly<Record<string, string>>;
  /** An expression giving an AbortSignal: aborting it ends the request and its resends. */
  readonly abortExpression?: string;
};

/** A `@get(...)` / `@post(...)` action expression for a data-on-* attribute. */
export const action = (method: 'get' | 'post', url: string, options: SseActionOptions = {}) => {
  const parts: string[] = [];
  if (options.retryForever) parts.push('retryMaxCount: Infinity');
  if (options.retryMaxWaitMs !== undefined) parts.push(`retryMaxWaitMs: ${options.retryMaxWaitMs}`);
  if (options.retryInterval !== undefined) parts.push(`retryInterval: ${options.retryInterval}`);
  if (options.retryScaler !== undefined) parts.push(`retryScaler: ${options.retryScaler}`);
  if (options.openWhenHidden) parts.push('openWhenHidden: true');
  const headers = [
    ...Object.entries(options.headers ?? {}).map(
      ([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`,
    ),
    ...Object.entries(options.headerExpressions ?? {}).map(
      ([k, v]) => `${JSON.stringify(k)}: (${v})`,
    ),
  ];
  if (headers.length > 0) parts.push(`headers: {${headers.join(', ')}}`);
  if (options.abortExpression !== undefined) parts.push(`abort: (${options.abortExpression})`);
  const args = parts.length > 0 ? `, {${parts.join(', ')}}` : '';
  return `@${method}(${JSON.stringify(url).replaceAll('"', "'")}${args})`;
};

/** The event name Datastar dispatches on `document` for each request's lifecycle. */
export const DATASTAR_SSE_EVENT = 'datastar-sse';
