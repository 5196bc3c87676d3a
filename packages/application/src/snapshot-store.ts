import type { ResultAsync } from 'neverthrow';
import type { StoreUnavailable } from './event-store';

/** An aggregate's state as of `version`, in the shape `schemaVersion` describes. */
export type Snapshot = {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  /** Global sequence of the stream's last event folded into `state`. */
  readonly globalSequence: number;
  readonly schemaVersion: number;
  readonly state: unknown;
};

/** Port for aggregate snapshots: an optimisation only; the events stay the truth. */
export type SnapshotStore = {
  /** The newest snapshot of the stream, or null. */
  load(aggregateType: string, aggregateId: string): ResultAsync<Snapshot | null, StoreUnavailable>;
  /** Keeps `snapshot` unless a newer one is already stored. */
  save(snapshot: Snapshot): ResultAsync<void, StoreUnavailable>;
};
