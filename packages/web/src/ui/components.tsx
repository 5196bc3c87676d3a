/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

// The building blocks every page is made of, styled by the one stylesheet (ui/styles.ts).
// Extra attributes (ids, data-* for Datastar) pass through to the element.
type Extra = Record<string, unknown>;

/** Joins a component's own class with the caller's. */
const classes = (own: string, extra: unknown) =>
  typeof extra === 'string' && extra !== '' ? `${own} ${extra}` : own;

/** A bordered box with an optional heading; `class` adds to its own. */
export const Panel = (
  props: { title?: Child; id?: string; class?: string; children?: Child } & Extra,
) => {
  const { title, children, class: extra, ...rest } = props;
  return (
    <section class={classes('panel', extra)} {...rest}>
      {title === undefined ? null : <h2>{title}</h2>}
      {children}
    </section>
  );
};

/** One figure at a glance: a small title, the figure, and what explains it (a chart, a note). */
export const Stat = (
  props: { title: Child; figure?: Child; id?: string; children?: Child } & Extra,
) => {
  const { title, figure, children, ...rest } = props;
  return (
    <div class="card" {...rest}>
      <h3>{title}</h3>
      {figure === undefined ? null : <div class="figure">{figure}</div>}
      {children}
    </div>
  );
};

export type ButtonKind = 'primary' | 'quiet' | 'danger' | 'plain';

/**
 * A button; `kind` picks its weight (`class` adds to it). Defaults to type="button" (never
 * submits by accident).
 */
export const Button = (
  props: {
    kind?: ButtonKind;
    type?: 'button' | 'submit';
    class?: string;
    children?: Child;
  } & Extra,
) => {
  const { kind, type, class: extra, children, ...rest } = props;
  const own = kind && kind !== 'plain' ? kind : '';
  const name = classes(own, extra).trim();
  return (
    <button type={type ?? 'button'} class={name === '' ? undefined : name} {...rest}>
      {children}
    </button>
  );
};

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'high' | 'low' | 'plain';

/** A short status word in a pill; the tone says what it means (ok, warn, bad…), not a colour. */
export const Badge = (props: { tone?: Tone; children?: Child } & Extra) => {
  const { tone, children, ...rest } = props;
  return (
    <span class={tone && tone !== 'plain' ? `badge ${tone}` : 'badge'} {...rest}>
      {children}
    </span>
  );
};

/** A row with attributes of its own (ids, data-*, a class), for `Table`. */
export type TableRow = { readonly cells: readonly Child[]; readonly attrs?: Extra };
/** A column heading, optionally with a hover title (e.g. its SQL type). */
export type TableHead = string | { readonly label: string; readonly title?: string };

/**
 * A table that scrolls sideways inside its own box instead of widening the page; `tall`
 * also caps its height (it scrolls down inside itself).
 */
export const Table = (props: {
  head?: readonly TableHead[];
  rows: readonly (readonly Child[] | TableRow)[];
  /** Columns (by index) whose cells are numbers: right-aligned, tabular. */
  numeric?: readonly number[];
  id?: string;
  class?: string;
  tall?: boolean;
}) => (
  <div class={props.tall ? 'scroll-x tall' : 'scroll-x'}>
    <table class={classes('table', props.class)} id={props.id}>
      {props.head === undefined ? null : (
        <thead>
          <tr>
            {props.head.map((h) =>
              typeof h === 'string' ? <th>{h}</th> : <th title={h.title}>{h.label}</th>,
            )}
          </tr>
        </thead>
      )}
      <tbody>
        {props.rows.map((row) => {
          const { cells, attrs } = 'cells' in row ? row : { cells: row, attrs: undefined };
          return (
            <tr {...(attrs ?? {})}>
              {cells.map((cell, i) => (
                <td class={props.numeric?.includes(i) ? 'num' : undefined}>{cell}</td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  </div>
);

/** The one way to say "nothing here". */
export const EmptyState = (props: { children?: Child } & Extra) => {
  const { children, ...rest } = props;
  return (
    <p class="empty" {...rest}>
      {children}
    </p>
  );
};

/** The page's keyboard shortcuts, listed where users can see them. */
export const Shortcuts = (props: { keys: readonly (readonly [string, string])[] }) => (
  <aside class="shortcuts" id="shortcuts" aria-label="Keyboard shortcuts">
    Keyboard
    <ul>
      {props.keys.map(([key, what]) => (
        <li>
          <kbd>{key}</kbd> {what}
        </li>
      ))}
    </ul>
  </aside>
);

const JSON_TOKEN =
  /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

/**
 * JSON, pretty-printed and highlighted on the server (keys, strings, numbers, literals as
 * spans: hono/jsx escapes every piece, so user text stays text). At most `max` characters.
 */
export const JsonView = (props: { value: unknown; max?: number }) => {
  const max = props.max ?? 10_000;
  let text = JSON.stringify(props.value, null, 2) ?? 'null';
  const truncated = text.length > max;
  if (truncated) text = text.slice(0, max);
  const parts: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(JSON_TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    if (m[1] !== undefined) {
      parts.push(<span class={m[2] ? 'j-key' : 'j-str'}>{m[1]}</span>);
      if (m[2]) parts.push(m[2]);
    } else if (m[3] !== undefined) parts.push(<span class="j-num">{m[3]}</span>);
    else parts.push(<span class="j-lit">{m[4]}</span>);
    last = at + m[0].length;
  }
  parts.push(text.slice(last));
  if (truncated) parts.push('\n… (truncated)');
  return <pre class="json">{parts}</pre>;
};
