import type { ProjectionSnapshot, ProjectionSnapshotStore } from '@ironstar/application';
import { ResultAsync } from 'neverthrow';
import type { PostgresDatabase } from './postgres-database';
import { toUnavailable } from './postgres-errors';

/** Projection snapshots in their own table, one row per projection. */
export const createPostgresProjectionSnapshots = (
  db: PostgresDatabase,
): ProjectionSnapshotStore => ({
  load: (name) =>
    ResultAsync.fromPromise(db.query(LOAD, [name]), toUnavailable).map(
      ([row]): ProjectionSnapshot | null =>
        row
          ? {
              name: String(row[0]),
              version: Number(row[1]),
              position: Number(row[2]),
              data: row[3],
            }
          : null,
    ),
  save: (snapshot) =>
    ResultAsync.fromPromise(
      db.query(SAVE, [
        snapshot.name,
        snapshot.version,
        snapshot.position,
        JSON.stringify(snapshot.data),
        new Date().toISOString(),
      ]),
      toUnavailable,
    ).map(() => undefined),
});

const LOAD = 'SELECT name, version, position, data FROM projection_snapshots WHERE name = $1';
const SAVE = `INSERT INTO projection_snapshots (name, version, position, data, created_at)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position,
    data = excluded.data, created_at = excluded.created_at`;
