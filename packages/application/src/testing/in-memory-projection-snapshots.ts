import { okAsync } from 'neverthrow';
import type { ProjectionSnapshot, ProjectionSnapshotStore } from '../projection';

/** Projection snapshots in a Map, for unit tests. */
export const createInMemoryProjectionSnapshots = (): ProjectionSnapshotStore & {
  readonly saved: ReadonlyMap<string, ProjectionSnapshot>;
} => {
  const saved = new Map<string, ProjectionSnapshot>();
  return {
    saved,
    load: (name) => okAsync(structuredClone(saved.get(name) ?? null)),
    save(snapshot) {
      saved.set(snapshot.name, structuredClone(snapshot));
      return okAsync(undefined);
    },
  };
};
