import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreModel } from '@ironstar/application/testing';
import { getLibsqlEventStore } from './libsql-event-store';

// A file of its own per run, removed after it.
describeEventStoreModel('libSQL event store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-model-'));
  const url = `file:${join(dir, 'model.db')}`;
  return {
    open: () => getLibsqlEventStore({ url }),
    runId: dir,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
