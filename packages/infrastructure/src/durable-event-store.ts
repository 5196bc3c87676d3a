import type {
  EventStore,
  ProcessStore,
  ProjectionSnapshotStore,
  SnapshotStore,
} from '@ironstar/application';

/** What each database's event store offers the server: the ports that live on its database. */
export type DurableEventStore = EventStore & {
  /** The database's settings as read back (journal mode, durability...), for the start log. */
  readonly settings: Record<string, unknown>;
  readonly snapshots: SnapshotStore;
  readonly projectionSnapshots: ProjectionSnapshotStore;
  /** Process managers' checkpoints, leases, outbox and timers, on the same database. */
  readonly processes: ProcessStore;
  /** Appends and the write transactions they were committed in (group commit at work). */
  readonly stats: { readonly appends: number; readonly transactions: number };
};
