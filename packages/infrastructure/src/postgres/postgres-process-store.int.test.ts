import { describeProcessStoreContract } from '@ironstar/application/testing';
import { afterAll, beforeAll } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';
import { getPostgresEventStore } from './postgres-event-store';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 60_000);
afterAll(() => cluster?.stop());

describeProcessStoreContract(
  'PostgreSQL',
  async () => {
    const url = await cluster.createDatabase();
    const open = async () => {
      const store = await getPostgresEventStore({ url });
      return { store, processes: store.processes };
    };
    return { ...(await open()), reopen: open };
  },
  { durable: true },
);
