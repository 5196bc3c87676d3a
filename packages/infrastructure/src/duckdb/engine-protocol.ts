import type { StoredEvent } from '@ironstar/application';
import type { BoundedRows } from './result-rows';

/** What the main process asks of the DuckDB engine process; each gets exactly one reply. */
export type EngineRequest =
  | { readonly op: 'append'; readonly events: readonly StoredEvent[] }
  | { readonly op: 'prepare'; readonly query: number; readonly sql: string }
  | {
      readonly op: 'run';
      readonly query: number;
      readonly maxRows: number;
      readonly maxBytes: number;
    }
  | { readonly op: 'release'; readonly query: number }
  | { readonly op: 'count' }
  /** What a kept table holds: its rows, its last global sequence and that event's id. */
  | { readonly op: 'state' }
  /** Empties the table (a kept one that does not match the store). */
  | { readonly op: 'reset' }
  /** Writes the table into its file, so the next open replays no log. */
  | { readonly op: 'checkpoint' };

export type EngineState = {
  readonly count: number;
  readonly last: number;
  readonly lastId: string | null;
  /** True when the table lives in a file; else why it is in memory. */
  readonly persisted: true | string;
};

export type EngineReplyValue = {
  readonly append: number;
  readonly prepare: null;
  readonly run: BoundedRows;
  readonly release: null;
  readonly count: number;
  readonly state: EngineState;
  readonly reset: null;
  readonly checkpoint: null;
};

/** Sent without a reply: stop whatever `query` is doing now. */
export type EngineInterrupt = { readonly op: 'interrupt'; readonly query: number };

export type EngineMessage = (EngineRequest & { readonly id: number }) | EngineInterrupt;

export type EngineReply =
  /** Rows of a `run` ahead of its reply, in order; the reply's own `rows` are empty then. */
  | { readonly id: number; readonly rows: unknown[][] }
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      /** The SQL was refused (allow-list, parse, bind), as opposed to failing while it ran. */
      readonly refused: boolean;
      readonly message: string;
    };

/** The engine process's first message. */
export type EngineHello = { readonly ready: true } | { readonly fatal: string };
