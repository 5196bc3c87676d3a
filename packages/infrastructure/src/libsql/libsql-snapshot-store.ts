import type { Snapshot, SnapshotStore } from '@ironstar/application';
import { ResultAsync } from 'neverthrow';
import type { LibsqlDatabase } from './libsql-database';
import { toUnavailable } from './libsql-errors';

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
      db
        .write((writer) =>
          writer.run(SAVE_SNAPSHOT, [
            snapshot.aggregateType,
            snapshot.aggregateId,
            snapshot.version,
            snapshot.globalSequence,
            snapshot.schemaVersion,
            JSON.stringify(snapshot.state),
          ]),
        )
        .catch(async (error: unknown) => {
          await db.recover();
          throw error;
        }),
      toUnavailable,
    ).map(() => undefined),
});

const LOAD_SNAPSHOT = `SELECT json_object('aggregateType', aggregate_type, 'aggregateId', aggregate_id,
  'version', version, 'globalSequence', global_sequence, 'schemaVersion', schema_version,
  'state', json(state)) FROM snapshots WHERE aggregate_type = ? AND aggregate_id = ?`;
// Never replaces a newer snapshot with an older one.
const SAVE_SNAPSHOT = `INSERT INTO snapshots (aggregate_type, aggregate_id, version, global_sequence,
  schema_version, state) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET version = excluded.version,
    global_sequence = excluded.global_sequence, schema_version = excluded.schema_version,
    state = excluded.state, created_at = excluded.created_at
  WHERE excluded.version > snapshots.version`;
