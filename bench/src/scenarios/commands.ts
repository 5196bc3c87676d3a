import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCompiled, NO_USER_LIMITS, spawnServer } from '@ironstar/server/testing';
import { createClient } from '@libsql/client';
import autocannon from 'autocannon';
import { serverRun } from '../profile';
import { type Figure, figure } from '../results';
import { freshDb, now, removeDb, runTs } from '../support';

const BARE = fileURLToPath(new URL('../bare-sse-server.ts', import.meta.url));

/** Raw libSQL appends into the real events table: one per autocommit, and 100 per transaction. */
const rawAppends = async (dir: string, seconds: number) => {
  const path = join(dir, 'raw-appends.db');
  await freshDb(path);
  const client = createClient({ url: `file:${path}`, concurrency: 1 });
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute('PRAGMA synchronous = FULL');
  const sql =
    'INSERT INTO events (id, aggregate_type, aggregate_id, aggregate_sequence, event_type, event_version, payload, metadata, created_at) VALUES (?, ?, ?, 1, ?, 2, ?, ?, ?)';
  const args = (n: number) => [
    `raw-${n}`,
    'Todo',
    `agg-${n}`,
    'TodoCreated',
    JSON.stringify({ id: `agg-${n}`, text: 'bench', priority: 'normal', createdAt: 'T' }),
    '{"correlationId":"c"}',
    'T',
  ];
  let n = 0;
  let end = now() + seconds * 1000;
  let start = now();
  while (now() < end) await client.execute({ sql, args: args(n++) });
  const single = n / ((now() - start) / 1000);
  end = now() + seconds * 1000;
  start = now();
  let batched = 0;
  while (now() < end) {
    const tx = await client.transaction('write');
    for (let i = 0; i < 100; i++) await tx.execute({ sql, args: args(n++) });
    await tx.commit();
    batched += 100;
  }
  const hundred = batched / ((now() - start) / 1000);
  client.close();
  removeDb(path);
  return { single, hundred };
};

/** fsync()s per second of a 4 KB page rewrite on the same disk: the limit on durable commits. */
const fsyncRate = (dir: string, seconds: number) => {
  const path = join(dir, 'fsync.bin');
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 1);
  let n = 0;
  const end = now() + seconds * 1000;
  const start = now();
  for (; now() < end; n++) {
    writeSync(fd, page, 0, page.length, 0);
    fsyncSync(fd);
  }
  const rate = n / ((now() - start) / 1000);
  closeSync(fd);
  rmSync(path, { force: true });
  return rate;
};

const load = (url: string, duration: number) =>
  autocannon({
    url,
    connections: 64,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'create', text: 'bench' }),
  });

/**
 * The same client against bare node:http reading the JSON body and answering 202 (no store, no
 * framework): the ceiling of HTTP on this machine with autocannon on the same two cores.
 */
const bareHttp = async (seconds: number) => {
  const server = runTs(BARE, []);
  try {
    const { port } = (await server.next()) as { port: number };
    const url = `http://127.0.0.1:${port}/publish`;
    await load(url, 1);
    const result = await load(url, seconds);
    return { rate: result['2xx'] / result.duration, p99: result.latency.p99 };
  } finally {
    server.child.kill('SIGTERM');
  }
};

export const commandsScenario = async (
  dir: string,
  quick: boolean,
  nodeArgs: readonly string[],
): Promise<Figure[]> => {
  buildCompiled();
  const seconds = quick ? 2 : 10;
  // Baselines first, while no server process shares the disk or the cores.
  const fsyncs = fsyncRate(dir, quick ? 1 : 3);
  const raw = await rawAppends(dir, quick ? 1 : 4);
  const bare = await bareHttp(quick ? 1 : 5);
  const path = join(dir, 'commands.db');
  removeDb(path);
  const server = await spawnServer(
    {
      DATABASE_URL: `file:${path}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      SQLITE_SYNCHRONOUS: 'FULL',
      // The bench's clients are all the local user: no per-user limits.
      ...NO_USER_LIMITS,
    },
    serverRun(nodeArgs),
  );
  try {
    const run = (duration: number) => load(`${server.url}/api/commands/todo`, duration);
    await run(1); // warm up the JIT before measuring
    const result = await run(seconds);
    const accepted = result['2xx'] / result.duration;
    return [
      figure({
        scenario: 'commands',
        name: 'durable creates/s, 64 clients (vs fsync/s)',
        unit: '/s',
        ironstar: accepted,
        baseline: fsyncs,
        baselineName: 'fsync()s/s of one 4 KB page',
      }),
      figure({
        scenario: 'commands',
        name: 'durable creates/s (vs raw 1 event/tx)',
        unit: '/s',
        ironstar: accepted,
        baseline: raw.single,
        baselineName: 'raw autocommit appends/s',
        target: '>= 8,000/s',
      }),
      figure({
        scenario: 'commands',
        name: 'durable creates/s (vs raw 100 events/tx)',
        unit: '/s',
        ironstar: accepted,
        baseline: raw.hundred,
        baselineName: 'raw events/s, 100 per tx',
        target: '>= 0.2x',
      }),
      figure({
        scenario: 'commands',
        name: 'durable creates/s (vs bare node:http answering 202)',
        unit: '/s',
        ironstar: accepted,
        baseline: bare.rate,
        baselineName: 'bare node:http POSTs/s, same client',
      }),
      figure({
        scenario: 'commands',
        name: 'latency p50',
        unit: 'ms',
        ironstar: result.latency.p50,
        baseline: null,
        baselineName: '',
      }),
      figure({
        scenario: 'commands',
        name: 'latency p99',
        unit: 'ms',
        ironstar: result.latency.p99,
        baseline: bare.p99,
        baselineName: 'bare node:http p99',
        target: '<= 20 ms',
      }),
      figure({
        scenario: 'commands',
        name: 'non-2xx answers',
        unit: '',
        ironstar: result.non2xx,
        baseline: null,
        baselineName: '',
      }),
    ];
  } finally {
    await server.kill('SIGTERM');
    removeDb(path);
  }
};
