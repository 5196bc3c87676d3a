import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSnapshotsAgainstFold } from '@ironstar/application/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { getLibsqlEventStore } from './libsql-event-store';

let dir: string;
let store: Awaited<ReturnType<typeof getLibsqlEventStore>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironstar-snapshots-'));
  store = await getLibsqlEventStore({ url: `file:${join(dir, 'events.db')}` });
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

// The snapshot property of application/src/snapshots.property.test.ts on a real libSQL file:
// snapshots saved and loaded through the snapshots table.
describe('aggregate snapshots on libSQL', () => {
  it('snapshot + tail equals the full fold, for random histories and snapshot intervals', () =>
    checkSnapshotsAgainstFold(() => store, { numRuns: 40, maxSteps: 25 }));
});
