import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('private PostgreSQL cluster (test fixture)', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(() => cluster?.stop());

  it('runs PostgreSQL 15 on 127.0.0.1 with its data and socket in its own temp dir', async () => {
    const [row] = await query(
      cluster.url,
      "SELECT current_setting('server_version_num') AS v, current_setting('listen_addresses') AS l, current_setting('data_directory') AS d, current_setting('unix_socket_directories') AS s",
    );
    expect(Number(row.v)).toBeGreaterThanOrEqual(150000);
    expect(row.l).toBe('127.0.0.1');
    expect(row.d).toBe(join(cluster.dir, 'data'));
    expect(row.s).toBe(cluster.dir);
    expect(existsSync(join(cluster.dir, `.s.PGSQL.${cluster.port}`))).toBe(true);
  });

  it('gives each caller a fresh, empty database', async () => {
    const a = await cluster.createDatabase();
    const b = await cluster.createDatabase();
    expect(a).not.toBe(b);
    await query(a, 'CREATE TABLE t (x int)');
    const tables = await query(b, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'");
    expect(tables[0].n).toBe(0);
  });

  it('stops and starts again on the same port, keeping committed data', async () => {
    const url = await cluster.createDatabase();
    await query(url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    await cluster.stopServer();
    await expect(query(url, 'SELECT 1')).rejects.toThrow();
    await cluster.startServer();
    expect(await query(url, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
  });

  it('removes its directory when stopped', async () => {
    const other = await startPostgresCluster();
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    await expect(query(other.url, 'SELECT 1')).rejects.toThrow();
  });
});
