/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

// The building blocks every page is made of, styled by the one stylesheet (ui/styles.ts).
// Extra attributes (ids, data-* for Datastar) pass through to the element.
type Extra = Record<string, unknown>;

/** A bordered box with an optional heading. */
export const Panel = (props: { title?: string; id?: string; children?: Child } & Extra) => {
  const { title, children, ...rest } = props;
  return (
    <section class="panel" {...rest}>
      {title === undefined ? null : <h2>{title}</h2>}
      {children}
    </section>
  );
};

export type ButtonKind = 'primary' | 'quiet' | 'danger' | 'plain';

/** A button; `kind` picks its weight. Defaults to type="button" (never submits by accident). */
export const Button = (
  props: { kind?: ButtonKind; type?: 'button' | 'submit'; children?: Child } & Extra,
) => {
  const { kind, type, children, ...rest } = props;
  return (
    <button type={type ?? 'button'} class={kind && kind !== 'plain' ? kind : undefined} {...rest}>
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

/** A table that scrolls sideways inside its own box instead of widening the page. */
export const Table = (props: {
  head: readonly string[];
  rows: readonly (readonly Child[])[];
  /** Columns (by index) whose cells are numbers: right-aligned, tabular. */
  numeric?: readonly number[];
  id?: string;
}) => (
  <div class="scroll-x">
    <table class="table" id={props.id}>
      <thead>
        <tr>
          {props.head.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            {row.map((cell, i) => (
              <td class={props.numeric?.includes(i) ? 'num' : undefined}>{cell}</td>
            ))}
          </tr>
        ))}
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
