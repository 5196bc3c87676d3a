import type { ResultAsync } from 'neverthrow';

/** What the store keeps beside each event's payload: why and for whom it was written. */
export type EventMetadata = {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly commandId?: string;
  readonly requestId?: string;
  /** Who caused it: a user's id, or `system` for what the server or a process manager does. */
  readonly actor?: string;
};

/** The actor of events no user asked for (process managers, reactors, the server itself). */
export const SYSTEM_ACTOR = 'system';

/** An event about to be appended. */
export type NewEvent = {
  readonly id: string;
  readonly type: string;
  readonly version?: number;
  readonly data: unknown;
  readonly metadata?: EventMetadata;
};

/** A row of the events table, as every reader sees it. */
export type StoredEvent = {
  readonly globalSequence: number;
  readonly id: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly aggregateSequence: number;
  readonly eventType: string;
  readonly eventVersion: number;
  readonly payload: unknown;
  readonly metadata: EventMetadata | null;
  readonly createdAt: string;
};

/**
 * What the writer believes about the stream, checked inside the write transaction:
 * a number is the exact current version (0 = no events yet).
 */
export type ExpectedVersion = number | 'any' | 'noStream' | 'streamExists';

export type AppendRequest = {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
  /**
   * Records the command in the same transaction as its events (idempotency). If a command
   * with this id is already recorded, nothing is appended and DuplicateCommand is returned.
   */
  readonly command?: { readonly id: string; readonly fingerprint: string };
};

/** What the store remembers of a command that was applied, so a retry gets the same answer. */
export type RecordedCommand = {
  readonly id: string;
  readonly fingerprint: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Stream version after the command. */
  readonly version: number;
  /** Global sequence of the stream's last event after the command (0 if none). */
  readonly globalSequence: number;
};

export type AppendResult = {
  readonly events: readonly StoredEvent[];
  /** The stream's version after the append. */
  readonly version: number;
};

export type ConcurrencyError = {
  readonly type: 'ConcurrencyError';
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly expected: ExpectedVersion;
  readonly actual: number;
};

/** The database could not be read or written; nothing partial was stored. */
export type StoreUnavailable = {
  readonly type: 'StoreUnavailable';
  readonly message: string;
  readonly cause?: unknown;
};

/** The command id was already recorded (possibly by a racing request): here is what it did. */
export type DuplicateCommand = {
  readonly type: 'DuplicateCommand';
  readonly recorded: RecordedCommand;
};

export type AppendError = ConcurrencyError | DuplicateCommand | StoreUnavailable;

/** The port every event store adapter implements (see the contract suite in ./testing). */
export type EventStore = {
  append(request: AppendRequest): ResultAsync<AppendResult, AppendError>;
  /**
   * One stream's events in order; `afterVersion` skips what a snapshot already holds, `limit`
   * keeps at most that many (a view of a long stream reads a bounded slice).
   */
  readStream(
    aggregateType: string,
    aggregateId: string,
    options?: { afterVersion?: number; limit?: number },
  ): ResultAsync<readonly StoredEvent[], StoreUnavailable>;
  /** The record of an applied command, or null. */
  findCommand(commandId: string): ResultAsync<RecordedCommand | null, StoreUnavailable>;
  /** Events with global sequence > `after`, ascending, at most `limit`. */
  readAll(options: {
    after: number;
    limit: number;
  }): ResultAsync<readonly StoredEvent[], StoreUnavailable>;
  /** The highest global sequence stored, 0 when empty. */
  head(): ResultAsync<number, StoreUnavailable>;
  close(): Promise<void>;
};

export const storeUnavailable = (message: string, cause?: unknown): StoreUnavailable =>
  cause === undefined
    ? { type: 'StoreUnavailable', message }
    : { type: 'StoreUnavailable', message, cause };

/** The version check every store performs, in one place so adapters cannot disagree. */
export const checkExpectedVersion = (expected: ExpectedVersion, actual: number): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'noStream':
      return actual === 0;
    case 'streamExists':
      return actual > 0;
    default:
      return expected === actual;
  }
};

/** Every stored event, page by page, without holding more than one page in memory. */
export async function* readAllPages(
  store: Pick<EventStore, 'readAll'>,
  options: { after?: number; pageSize?: number } = {},
): AsyncGenerator<readonly StoredEvent[], void, undefined> {
  const pageSize = options.pageSize ?? 1000;
  let after = options.after ?? 0;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    if (page.isErr()) throw new StoreReadError(page.error);
    const last = page.value.at(-1);
    if (last === undefined) return;
    yield page.value;
    after = last.globalSequence;
    if (page.value.length < pageSize) return;
  }
}

/** Thrown by the async iterator only: an iterator cannot return a Result per step. */
export class StoreReadError extends Error {
  readonly error: StoreUnavailable;
  constructor(error: StoreUnavailable) {
    super(error.message);
    this.name = 'StoreReadError';
    this.error = error;
  }
}
