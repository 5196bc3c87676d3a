import { createHash } from 'node:crypto';
import type { Message } from '@ironstar/domain';
import type { StoredEvent } from './event-store';

/** Framework inputs every manager may receive besides the events it selects. */
export type TimerFired = {
  readonly type: 'TimerFired';
  readonly data: { readonly timer: string; readonly firedAt: string /* ISO time */ };
};

/** A command the manager sent was refused by its target (a domain error, or no such stream). */
export type CommandFailed = {
  readonly type: 'CommandFailed';
  readonly data: {
    /** The ProcessCommand.key that failed. */
    readonly key: string;
    readonly aggregateType: string;
    readonly aggregateId: string;
    /** The domain error's `type` (e.g. 'InvalidTransition'), or 'NotFound'. */
    readonly error: string;
    readonly message: string;
  };
};

/**
 * A command to another aggregate; ids and time inside `command` are chosen by the manager
 * deterministically (derived from its input), so a replay decides the very same command.
 */
export type ProcessCommand = {
  /** Unique within one decision; part of the idempotency key. */
  readonly key: string;
  /** The target module's aggregate type, e.g. 'Payment'. */
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** That aggregate's command, as its decider takes it. */
  readonly command: Message;
};

export type ProcessDecision = {
  readonly commands?: readonly ProcessCommand[];
  readonly setTimers?: readonly { readonly name: string; readonly afterMs: number }[];
  readonly cancelTimers?: readonly string[];
  /** The instance is finished: no more inputs are routed to it. */
  readonly done?: boolean;
};

export type ProcessInputOf<I extends Message> = I | TimerFired | CommandFailed;

/** A process manager as plain functions, like a decider. All pure. */
export type ProcessManager<S, I extends Message> = {
  /** e.g. 'order-fulfilment'; its instances are streams of type `Process:<name>`. */
  readonly name: string;
  /**
   * Reads a stored event as one of its inputs, with the instance (e.g. the order id) it belongs
   * to; undefined: not its business. Pure. The input carries what decide needs (ids, createdAt).
   */
  readonly select: (
    event: StoredEvent,
  ) => { readonly instanceId: string; readonly input: I } | undefined;
  readonly initialState: () => S;
  readonly evolve: (state: S, input: ProcessInputOf<I>) => S;
  readonly decide: (input: ProcessInputOf<I>, state: S) => ProcessDecision;
};

/** Declares a process manager; the types of its state and inputs are inferred. */
export const defineProcessManager = <S, I extends Message>(m: ProcessManager<S, I>) => m;

/** A manager as the runtime holds it, whatever its state and input types. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of managers; each is used only with its own state.
export type AnyProcessManager = ProcessManager<any, any>;

// A fixed namespace (RFC 4122 v5 hashes a namespace with the name), so ids derived here never
// collide with v5 ids another tool derives from the same strings.
const NAMESPACE = Buffer.from('6f2b1e0c9a3d4e5fb7c81d2e3f4a5b6c', 'hex');

/**
 * A deterministic UUID (v5: sha-1 of a namespace and the name) derived from a seed such as an
 * event id and a key. The seed's length is hashed too, so ('a:b','c') and ('a','b:c') differ.
 */
export const deriveId = (seed: string, key: string): string => {
  const hash = createHash('sha1')
    .update(NAMESPACE)
    .update(`${seed.length}:${seed}|${key}`, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** The stream type of a manager's instances, so they show in /events like any other stream. */
export const processStreamType = (managerName: string): string => `Process:${managerName}`;
