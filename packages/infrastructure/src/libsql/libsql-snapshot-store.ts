import type { Snapshot, SnapshotStore } from '@ironstar/application';
import { and, eq, sql } from 'drizzle-orm';
import { ResultAsync } from 'neverthrow';
import type { LibsqlDatabase } from './libsql-database';
import { toUnavailable } from './libsql-errors';
import { snapshots } from './schema';

/** Snapshots in their own table, newest per stream; writes share the store's writer queue. */
export const createLibsqlSnapshotStore = (db: LibsqlDatabase): SnapshotStore => ({
  load: (aggregateType, aggregateId) =>
    ResultAsync.fromPromise(
      db.reader
        .select()
        .from(snapshots)
        .where(
          and(eq(snapshots.aggregateType, aggregateType), eq(snapshots.aggregateId, aggregateId)),
        ),
      toUnavailable,
    ).map(([row]): Snapshot | null =>
      row
        ? {
            aggregateType: row.aggregateType,
            aggregateId: row.aggregateId,
            version: row.version,
            globalSequence: row.globalSequence,
            schemaVersion: row.schemaVersion,
            state: JSON.parse(row.state),
          }
        : null,
    ),
  save: (snapshot) =>
    ResultAsync.fromPromise(
      db.write((writer) =>
        writer
          .insert(snapshots)
          .values({ ...snapshot, state: JSON.stringify(snapshot.state) })
          .onConflictDoUpdate({
            target: [snapshots.aggregateType, snapshots.aggregateId],
            set: {
              version: sql`excluded.version`,
              globalSequence: sql`excluded.global_sequence`,
              schemaVersion: sql`excluded.schema_version`,
              state: sql`excluded.state`,
              createdAt: sql`excluded.created_at`,
            },
            // Never replace a newer snapshot with an older one.
            setWhere: sql`excluded.version > ${snapshots.version}`,
          })
          .catch(async (error: unknown) => {
            await db.recover();
            throw error;
          }),
      ),
      toUnavailable,
    ).map(() => undefined),
});
