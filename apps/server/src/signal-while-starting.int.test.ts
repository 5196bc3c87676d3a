import { createClient } from '@libsql/client';
import { expect, it } from 'vitest';
import { spawnServer, useServers } from './testing/spawn-server';

const servers = useServers();

it('a SIGTERM while the server is still starting stops it cleanly once started', async () => {
  const { env, dir } = await servers.database('starting.db');
  // Another connection holds the database's write lock: the server's start waits for it
  // (its busy timeout), so the signal below surely lands before it listens.
  const holder = createClient({ url: `file:${dir}/starting.db` });
  servers.defer(() => holder.close());
  await holder.execute('PRAGMA journal_mode=WAL');
  const lock = await holder.transaction('write');
  await lock.execute('CREATE TABLE held (id INTEGER)');
  const server = await spawnServer(
    { ...env, SQLITE_BUSY_TIMEOUT_MS: '60000' },
    { until: 'starting' },
  );
  servers.defer(() => server.kill('SIGKILL'));
  const exited = server.kill('SIGTERM');
  expect(server.logs.join('')).not.toContain('ironstar listening');
  await lock.commit();
  // Without handlers installed before the start, node would die of the signal right away.
  expect(await exited).toBe(0);
  const logs = server.logs.join('');
  expect(logs).toContain('"signal":"SIGTERM"');
  expect(logs).toContain('ironstar stopped');
  expect(logs).not.toMatch(/^\s+at /m);
});
