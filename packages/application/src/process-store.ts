import type { Message } from '@ironstar/domain';
import type { ResultAsync } from 'neverthrow';
import type { ConcurrencyError, NewEvent, StoredEvent, StoreUnavailable } from './event-store';

/** A pending timer: fires once at `dueAt` unless cancelled first. */
export type TimerRow = {
  /** Deterministic (derived from the input that set it); also the TimerFired input's id. */
  readonly id: string;
  readonly manager: string;
  readonly instanceId: string;
  readonly name: string;
  /** ISO time. */
  readonly dueAt: string;
  readonly correlationId: string | null;
};

/** An outgoing command waiting to be sent (or parked after its last try). */
export type OutboxRow = {
  /** The idempotency key `<manager>:<input id>:<key>`, sent as the command id. */
  readonly id: string;
  readonly manager: string;
  readonly instanceId: string;
  readonly key: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly command: Message;
  readonly correlationId: string | null;
  readonly causationId: string;
  readonly status: 'pending' | 'parked';
  /** Failed sends so far. */
  readonly attempts: number;
  /** ISO time of the next try (pending) or of parking (parked). */
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
};

/** An instance as the dashboard lists it: its state after its last input. */
export type InstanceRow = {
  readonly manager: string;
  readonly instanceId: string;
  readonly version: number;
  readonly state: unknown;
  readonly done: boolean;
  readonly updatedAt: string;
};

export type LeaseRow = { readonly owner: string; readonly expiresAt: string };

/**
 * One input handled by one instance: everything written in ONE transaction, or nothing.
 * `events` go to the instance's stream (`Process:<manager>`, `instanceId`) through the event
 * store's own append (same sequencing, same expected-version check).
 */
export type ProcessStep = {
  readonly manager: string;
  /** Who holds the lease: the step is refused (LeaseLost) if that is no longer `owner`. */
  readonly owner: string;
  readonly instanceId: string;
  readonly expectedVersion: number;
  /** The first event records the input; its id is derived from the input's id (dedupe). */
  readonly events: readonly NewEvent[];
  /** Global sequence of the stored event that was the input (absent for timers/failures). */
  readonly checkpoint?: number;
  readonly commands: readonly Omit<OutboxRow, 'status' | 'attempts' | 'lastError'>[];
  readonly setTimers: readonly TimerRow[];
  /** Names of this instance's pending timers to delete. */
  readonly cancelTimers: readonly string[];
  /** The timer this step fires: the step is a Duplicate unless it is still pending. */
  readonly firedTimer?: string;
  /** The outbox row this step answers (a refusal): a Duplicate unless it is still there. */
  readonly answeredCommand?: string;
  /** The instance's row for the dashboard. */
  readonly instance: Omit<InstanceRow, 'manager' | 'instanceId' | 'version'>;
};

export type StepRecorded = { readonly type: 'Recorded'; readonly events: readonly StoredEvent[] };
/** The input was recorded before (or its timer/command is gone): nothing written but the checkpoint. */
export type StepDuplicate = { readonly type: 'Duplicate' };
/** The lease is held by another owner (or expired): nothing written. */
export type LeaseLost = { readonly type: 'LeaseLost'; readonly manager: string };

export type StepError = ConcurrencyError | LeaseLost | StoreUnavailable;

/**
 * Where process managers keep what is not in their streams: checkpoints, leases, the outbox,
 * timers and the dashboard's instance rows. An adapter shares its event store's storage and
 * append path, so `record` can write events and rows in one transaction. Run
 * `describeProcessStoreContract` against every adapter.
 */
export type ProcessStore = {
  /**
   * Takes the manager's lease for `owner` until now + `ttlMs` if it is free, expired or
   * already `owner`'s (one conditional write); answers whether `owner` holds it now.
   * Never true for two owners at once, in any number of processes sharing the store.
   */
  acquireLease(
    manager: string,
    owner: string,
    ttlMs: number,
  ): ResultAsync<boolean, StoreUnavailable>;
  /** Gives the lease up if `owner` holds it, so another process may take it at once. */
  releaseLease(manager: string, owner: string): ResultAsync<void, StoreUnavailable>;
  /** Global sequence of the last input handled (0 before any). */
  checkpoint(manager: string): ResultAsync<number, StoreUnavailable>;
  /** Moves the checkpoint forward (never back) past events the manager had no business with. */
  saveCheckpoint(
    manager: string,
    owner: string,
    position: number,
  ): ResultAsync<void, LeaseLost | StoreUnavailable>;
  /**
   * Writes steps in ONE transaction, all or none, in order. For each: the lease is checked; if
   * its first event's id is already stored, or `firedTimer`/`answeredCommand` is gone, only the
   * checkpoint moves (Duplicate); else its events are appended at `expectedVersion` (a
   * ConcurrencyError refuses the whole call), the checkpoint moves forward, outbox and timer
   * rows are inserted, cancelled and fired timers and the answered command are deleted, and
   * the instance row is upserted. Answers one result per step.
   */
  record(
    steps: readonly ProcessStep[],
  ): ResultAsync<readonly (StepRecorded | StepDuplicate)[], StepError>;
  /** Pending timers due at `now` or before, earliest first, at most `limit`. */
  dueTimers(
    manager: string,
    now: string,
    limit: number,
  ): ResultAsync<readonly TimerRow[], StoreUnavailable>;
  /** Pending outbox rows whose next try is due, oldest first, at most `limit`. */
  dueCommands(
    manager: string,
    now: string,
    limit: number,
  ): ResultAsync<readonly OutboxRow[], StoreUnavailable>;
  /** These commands were applied (or had been): their rows are deleted, in one write. */
  commandsSent(ids: readonly string[]): ResultAsync<void, StoreUnavailable>;
  /** A try failed: schedule the next (pending) or park the row; it stays visible either way. */
  commandFailed(
    id: string,
    outcome: {
      readonly attempts: number;
      readonly status: 'pending' | 'parked';
      readonly nextAttemptAt: string;
      readonly error: string;
    },
  ): ResultAsync<void, StoreUnavailable>;
  /** Re-queues a parked row (attempts from zero, due now); false if no such parked row. */
  retryParked(manager: string, id: string, now: string): ResultAsync<boolean, StoreUnavailable>;
  /** What the dashboard shows of a manager; each list newest first (timers: soonest), bounded. */
  overview(
    manager: string,
    limit: number,
  ): ResultAsync<
    {
      readonly checkpoint: number;
      readonly lease: LeaseRow | null;
      readonly instances: readonly InstanceRow[];
      readonly timers: readonly TimerRow[];
      readonly outbox: readonly OutboxRow[];
    },
    StoreUnavailable
  >;
};
