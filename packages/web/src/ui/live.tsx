/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { action, mergeSignals } from '../datastar/datastar-wire';
import { encodeSseMessage } from '../sse/sse-frame';
import { Button, type ButtonKind } from './components';

/**
 * The browser side of "live" and of commands, shared by every page. Page-local signals (a
 * leading `_` keeps Datastar from sending them):
 * - `_conn`: 'connecting' | 'live' | 'reconnecting' | 'offline', from the page's feed: each
 *   feed says 'live' when it (re)opens (FEED_OPENED), and a failed attempt to reach it says
 *   'reconnecting', then 'offline';
 * - `_key`: the Idempotency-Key of the next command (made by the server for the first, then
 *   afresh in the browser after each one is answered);
 * - `_keyFor`: after a command that timed out, the element that sent it: its next command
 *   reuses the key (it may have arrived after all), any other element's gets a fresh one;
 * - `_pending`: the id of the element whose command is in flight ('' when none). One command
 *   at a time, so a resend can never overtake a newer change;
 * - `_target`: the id of the element told when that command is done, when it is not the one
 *   that sent it (a list's controls may hand their command to one handler on the list);
 * - `_queued`: that command could not reach the server and is being resent (same key);
 * - `_status`, `_message`: the last refused command's HTTP status and the server's message;
 * - `_notice`: what to tell the user about the last refused command ('' when nothing).
 */
export const liveSignals = (key: string) => ({
  _conn: 'connecting',
  _key: key,
  _keyFor: '',
  _feedFails: 0,
  _pending: '',
  _target: '',
  _queued: false,
  _refused: false,
  _status: 0,
  _message: '',
  _notice: '',
});

/** Sent first on every (re)opened feed: the reconnect pace, and "you are live". */
export const FEED_OPENED =
  encodeSseMessage({ retry: 1000 }) + mergeSignals({ _conn: 'live', _feedFails: 0 });

/**
 * The DOM event a command's element receives when its command is done (it bubbles, so a page
 * may listen on window too): `detail` is `{ elId, accepted, status }`.
 */
export const COMMAND_DONE_EVENT = 'ironstar-command';

/**
 * How long a command may go without any answer (no response, no failure to connect) before
 * the page gives up on it: a server that hangs must not leave "saving…" on screen for ever.
 */
export const COMMAND_TIMEOUT_MS = 10_000;
const TIMED_OUT = `The server did not answer within ${COMMAND_TIMEOUT_MS / 1000} s, so this may not have been saved. Try again: a change that did arrive is not applied twice.`;

// What a refusal means to a user; validation errors show the server's own message.
const FRIENDLY: Readonly<Record<string, string>> = {
  '404': 'That is gone; showing the latest.',
  '409': 'That is no longer possible; showing the latest.',
  // Only after a timed-out command, whose key the next one reuses: it did arrive after all.
  '422': 'Your earlier change reached the server after all; showing the latest.',
  '412': 'It was changed elsewhere meanwhile; showing the latest.',
  '429': 'The server is busy; try again in a moment.',
  '503': 'The server cannot save right now; nothing was lost, try again in a moment.',
};

// A fresh key per intent; randomUUID needs a secure context (localhost or https).
const NEW_KEY =
  "(crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + '-' + Math.random().toString(36).slice(2))";

// The pending command's AbortController (one command at a time) and its answer timer.
const CMD = 'window.ironstarCommand';
const TIMER = 'window.ironstarCommandTimer';
const ARM = `(clearTimeout(${TIMER}), ${TIMER} = setTimeout(() => ${CMD} && (${CMD}.timedOut = true, ${CMD}.abort()), ${COMMAND_TIMEOUT_MS}))`;

// Datastar's request lifecycle, for the feed (marked data-live-feed) and the pending command.
// The answer timer runs from each attempt's start (a failed attempt restarts it: resends while
// the server is unreachable are not timed out) until the first answer of any kind. A timed-out
// command's key is kept for its element (`_keyFor`), so sending it again cannot apply it twice
// if it did arrive.
const ON_SSE = [
  'const d = evt.detail',
  'const feed = document.getElementById(d.elId)?.hasAttribute("data-live-feed")',
  `feed && d.type === 'retrying' && ($_feedFails = $_feedFails + 1, $_conn = $_feedFails > 1 ? 'offline' : 'reconnecting')`,
  `feed && d.type === 'retries-failed' && ($_conn = 'offline')`,
  `d.elId === $_pending && d.type === 'started' && ($_refused = false, $_queued = false, $_notice = '', $_status = 0, $_message = '')`,
  `d.elId === $_pending && d.type === 'retrying' && ($_queued = true)`,
  `d.elId === $_pending && (d.type === 'started' || d.type === 'retrying' ? ${ARM} : clearTimeout(${TIMER}))`,
  `d.elId === $_pending && d.type === 'finished' && ${CMD}?.timedOut && ($_refused = true, $_status = 0, $_message = ${JSON.stringify(TIMED_OUT)})`,
  `d.elId === $_pending && d.type === 'error' && ($_refused = true, $_status = Number(d.argsRaw.status))`,
  `d.elId === $_pending && d.type === 'finished' && ($_notice = $_refused ? (${JSON.stringify(FRIENDLY)}[String($_status)] || $_message || 'Something went wrong.') : '', (document.getElementById($_target || $_pending) ?? document).dispatchEvent(new CustomEvent('${COMMAND_DONE_EVENT}', {bubbles: true, detail: {elId: $_target || $_pending, accepted: !$_refused, status: $_status}})), $_keyFor = ${CMD}?.timedOut ? ($_target || $_pending) : '', $_pending = '', $_target = '', $_queued = false, $_key = ${CMD}?.timedOut ? $_key : ${NEW_KEY}, ${CMD} = null)`,
].join('; ');

/**
 * Where the connection state lives: listens to Datastar's request lifecycle for the whole
 * page. Rendered once, by the Layout, inside the element that declares LIVE_SIGNALS.
 */
export const LiveState = () => (
  <div
    id="live-state"
    hidden
    data-on-datastar-sse={ON_SSE}
    data-on-offline__window="$_conn = 'offline'"
  />
);

const CONN_TEXT = `{connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', offline: 'offline'}[$_conn]`;

/** Live / reconnecting / offline, from the page's feed (shown in every page's header). */
export const ConnectionIndicator = () => (
  <output
    id="connection"
    class="conn"
    data-conn="connecting"
    data-attr-data-conn="$_conn"
    aria-live="polite"
    title="The live connection to the server"
  >
    <span class="conn-label" data-text={CONN_TEXT}>
      connecting…
    </span>
  </output>
);

/** True while a command cannot be sent now: for `data-attr-disabled` on command controls. */
export const COMMANDS_BLOCKED = "$_pending !== '' || $_conn === 'offline'";

/**
 * A Datastar expression that sends one command: `prepare` (expressions setting the body's
 * signals, joined with commas) and a POST to `url` with a fresh Idempotency-Key. Datastar
 * resends it at a steady 1 s pace with the same key and body until the server answers, so a
 * create whose answer was lost is never applied twice; nothing else is sent meanwhile. An
 * attempt left without any answer for COMMAND_TIMEOUT_MS is given up (the page says so).
 * `ifMatch`: the version the element shows (412 if it changed elsewhere). The element running
 * it must have an id (Datastar reports a request's progress by it).
 */
export const commandAction = (
  url: string,
  options: {
    readonly prepare?: readonly string[];
    readonly ifMatch?: number;
    /** If-Match as an expression (e.g. read from the element's row), instead of `ifMatch`. */
    readonly ifMatchExpression?: string;
    /** An expression naming the id of the element told when the command is done (`_target`). */
    readonly target?: string;
  } = {},
) => {
  const post = action('post', url, {
    retryForever: true,
    retryInterval: 1000,
    retryScaler: 1,
    retryMaxWaitMs: 1000,
    abortExpression: `(${CMD} = new AbortController()).signal`,
    headerExpressions: {
      'Idempotency-Key': '$_key',
      ...(options.ifMatchExpression === undefined ? {} : { 'If-Match': options.ifMatchExpression }),
    },
    ...(options.ifMatch === undefined ? {} : { headers: { 'If-Match': `"${options.ifMatch}"` } }),
  });
  const steps = [
    '$_pending = ctx.el.id',
    ...(options.target === undefined ? [] : [`$_target = ${options.target}`]),
    ...(options.prepare ?? []),
    `$_keyFor && $_keyFor !== ($_target || $_pending) && ($_key = ${NEW_KEY})`,
    "$_keyFor = ''",
    post,
  ];
  return `(${COMMANDS_BLOCKED}) ? null : (${steps.join(', ')})`;
};

/**
 * Row commands: a list's rows do not each carry the command machinery. A row's control asks
 * for its command with a bubbling `event` naming it (this expression), and one handler on
 * the list (`data-on-<event>`, a commandAction reading the row) sends it.
 */
export const askRow = (event: string, command: string) =>
  `ctx.el.dispatchEvent(new CustomEvent('${event}', {bubbles: true, detail: '${command}'}))`;

/** A row's command button: asks for `command` (see askRow); disabled while commands are blocked. */
export const RowCommandButton = (
  props: {
    event: string;
    command: string;
    id: string;
    kind?: ButtonKind;
    class?: string;
    children?: Child;
  } & Record<string, unknown>,
) => {
  const { event, command, children, ...rest } = props;
  return (
    <Button data-attr-disabled={COMMANDS_BLOCKED} data-on-click={askRow(event, command)} {...rest}>
      {children}
    </Button>
  );
};
