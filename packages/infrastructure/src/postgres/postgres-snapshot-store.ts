import type { Snapshot, SnapshotStore } from '@ironstar/application';
import { ResultAsync } from 'neverthrow';
import type { PostgresDatabase } from './postgres-database';
import { toUnavailable } from './postgres-errors';

/** Snapshots in their own table, newest per stream. */
export const createPostgresSnapshotStore = (db: PostgresDatabase): SnapshotStore => ({
  load: (aggregateType, aggregateId) =>
    ResultAsync.fromPromise(db.query(LOAD, [aggregateType, aggregateId]), toUnavailable).map(
      ([row]): Snapshot | null =>
        row
          ? {
              aggregateType: String(row[0]),
              aggregateId: String(row[1]),
              version: Number(row[2]),
              globalSequence: Number(row[3]),
              schemaVersion: Number(row[4]),
              state: row[5],
            }
          : null,
    ),
  save: (snapshot) =>
    ResultAsync.fromPromise(
      db.query(SAVE, [
        snapshot.aggregateType,
        snapshot.aggregateId,
        snapshot.version,
        snapshot.globalSequence,
        snapshot.schemaVersion,
        JSON.stringify(snapshot.state),
        new Date().toISOString(),
      ]),
      toUnavailable,
    ).map(() => undefined),
});

const LOAD = `SELECT aggregate_type, aggregate_id, version, global_sequence, schema_version, state
  FROM snapshots WHERE aggregate_type = $1 AND aggregate_id = $2`;
// Never replaces a newer snapshot with an older one.
const SAVE = `INSERT INTO snapshots (aggregate_type, aggregate_id, version, global_sequence,
  schema_version, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET version = excluded.version,
    global_sequence = excluded.global_sequence, schema_version = excluded.schema_version,
    state = excluded.state, created_at = excluded.created_at
  WHERE excluded.version > snapshots.version`;
