import type { ProjectionSnapshot, ProjectionSnapshotStore } from '@ironstar/application';
import { eq, sql } from 'drizzle-orm';
import { ResultAsync } from 'neverthrow';
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
  save: (snapshot) =>
    ResultAsync.fromPromise(
      db.write((writer) =>
        writer
          .insert(projectionSnapshots)
          .values({ ...snapshot, data: JSON.stringify(snapshot.data) })
          .onConflictDoUpdate({
            target: projectionSnapshots.name,
            set: {
              version: sql`excluded.version`,
              position: sql`excluded.position`,
              data: sql`excluded.data`,
              createdAt: sql`excluded.created_at`,
            },
          }),
      ),
      toUnavailable,
    ).map(() => undefined),
});
