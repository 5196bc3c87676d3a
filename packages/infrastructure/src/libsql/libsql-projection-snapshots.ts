import type { ProjectionSnapshot, ProjectionSnapshotStore } from '@ironstar/application';
import { eq } from 'drizzle-orm';
import { ResultAsync } from 'neverthrow';
import { jsonInSlices } from './json-in-slices';
import type { LibsqlDatabase } from './libsql-database';
import { toUnavailable } from './libsql-errors';
import { projectionSnapshots } from './schema';

/** Projection snapshots in their own table, one row per projection. */
export const createLibsqlProjectionSnapshots = (db: LibsqlDatabase): ProjectionSnapshotStore => ({
  load: (name) =>
    ResultAsync.fromPromise(
      db.reader.select().from(projectionSnapshots).where(eq(projectionSnapshots.name, name)),
      toUnavailable,
    ).map(([row]): ProjectionSnapshot | null =>
      row
        ? {
            name: row.name,
            version: row.version,
            position: row.position,
            data: JSON.parse(row.data),
          }
        : null,
    ),
  // Stringified before it joins the writer queue, in slices: a large read model holds neither
  // the event loop nor the commands behind it in the queue for one long stretch.
  save: (snapshot) =>
    ResultAsync.fromPromise(
      jsonInSlices(snapshot.data).then((data) =>
        db.write((writer) =>
          writer.run(SAVE_PROJECTION, [snapshot.name, snapshot.version, snapshot.position, data]),
        ),
      ),
      toUnavailable,
    ).map(() => undefined),
});

const SAVE_PROJECTION = `INSERT INTO projection_snapshots (name, version, position, data)
  VALUES (?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position,
    data = excluded.data, created_at = excluded.created_at`;
