import { checkSnapshotsAgainstFold } from '@ironstar/application/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';
import { getPostgresEventStore } from './postgres-event-store';

let cluster: PostgresCluster;
let store: Awaited<ReturnType<typeof getPostgresEventStore>>;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  store = await getPostgresEventStore({ url: await cluster.createDatabase() });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await cluster?.stop();
});

// The snapshot property of application/src/snapshots.property.test.ts, on the real store:
// snapshots saved and loaded through PostgreSQL (json state, newest-wins upsert).
describe('aggregate snapshots on PostgreSQL', () => {
  it('snapshot + tail equals the full fold, for random histories and snapshot intervals', () =>
    checkSnapshotsAgainstFold(() => store, { numRuns: 40, maxSteps: 25 }));

  it('never replaces a newer snapshot with an older one', async () => {
    const snap = (version: number) => ({
      aggregateType: 'ShoppingCart',
      aggregateId: 'newest-wins',
      version,
      globalSequence: version,
      schemaVersion: 1,
      state: { version },
    });
    await store.snapshots.save(snap(5));
    await store.snapshots.save(snap(3));
    expect(
      (await store.snapshots.load('ShoppingCart', 'newest-wins'))._unsafeUnwrap()?.state,
    ).toEqual({ version: 5 });
    await store.snapshots.save(snap(8));
    expect(
      (await store.snapshots.load('ShoppingCart', 'newest-wins'))._unsafeUnwrap()?.version,
    ).toBe(8);
  });
});
