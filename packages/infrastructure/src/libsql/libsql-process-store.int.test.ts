import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProcessStoreContract } from '@ironstar/application/testing';
import { getLibsqlEventStore } from './libsql-event-store';

describeProcessStoreContract(
  'libSQL file',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ironstar-processes-'));
    const url = `file:${join(dir, 'events.db')}`;
    const open = async () => {
      const store = await getLibsqlEventStore({ url });
      return { store, processes: store.processes };
    };
    return {
      ...(await open()),
      reopen: open,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { durable: true },
);
