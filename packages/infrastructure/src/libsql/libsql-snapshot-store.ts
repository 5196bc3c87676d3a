import type { Snapshot, SnapshotStore } from '@ironstar/application';
import { sql } from 'drizzle-orm';
import { ResultAsync } from 'neverthrow';
import type { LibsqlDatabase } from './libsql-database';
import { toUnavailable } from './libsql-errors';
import { snapshots } from './schema';

/** Snapshots in their own table, newest per stream; writes share the store's writer queue. */
export const createLibsqlSnapshotStore = (db: LibsqlDatabase): SnapshotStore => ({
  // Read before most commands, so in fixed SQL text rather than through the query builder.
  load: (aggregateType, aggregateId) =>
    ResultAsync.fromPromise(
      db.readerClient.execute({ sql: LOAD_SNAPSHOT, args: [aggregateType, aggregateId] }),
      toUnavailable,
    ).map(({ rows: [row] }) => (row ? (JSON.parse(String(row[0])) as Snapshot) : null)),
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

const LOAD_SNAPSHOT = `SELECT json_object('aggregateType', aggregate_type, 'aggregateId', aggregate_id,
  'version', version, 'globalSequence', global_sequence, 'schemaVersion', schema_version,
  'state', json(state)) FROM snapshots WHERE aggregate_type = ? AND aggregate_id = ?`;
