import { describeEventStoreModel } from '@ironstar/application/testing';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';
import { getPostgresEventStore } from './postgres-event-store';

let cluster: PostgresCluster;
let url: string;
let runs = 0;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  url = await cluster.createDatabase();
  await (await getPostgresEventStore({ url })).close(); // creates the tables
}, 60_000);
afterAll(() => cluster?.stop());

// One database for the file, emptied before each run (a new database per run is slow).
describeEventStoreModel('PostgreSQL event store', async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('TRUNCATE events, commands');
  } finally {
    await client.end();
  }
  return { open: () => getPostgresEventStore({ url }), runId: String(++runs) };
});
