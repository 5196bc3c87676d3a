// `pnpm bench --store=postgres`: the commands and cold-start scenarios on a private PostgreSQL
// cluster, each next to raw `pg` on the same cluster in the same run.
import { getPostgresEventStore } from '@ironstar/infrastructure';
import type { PostgresCluster } from '@ironstar/infrastructure/testing';
import { buildCompiled, NO_USER_LIMITS, spawnServer } from '@ironstar/server/testing';
import autocannon from 'autocannon';
import pg from 'pg';
import { type Figure, figure } from '../results';
import { benchEvent, now } from '../support';
import { startTimes } from './cold-start';

/** A new database on the cluster with the store's tables (its migrations run once). */
const freshDatabase = async (cluster: PostgresCluster) => {
  const url = await cluster.createDatabase();
  await (await getPostgresEventStore({ url })).close();
  return url;
};

const INSERT = `INSERT INTO events (global_sequence, id, aggregate_type, aggregate_id,
  aggregate_sequence, event_type, event_version, payload, metadata, created_at)
  VALUES ($1, $2, 'Todo', $3, 1, 'TodoCreated', 2, $4, '{"correlationId":"c"}', 'T')`;
const argsOf = (n: number) => [
  n,
  `raw-${n}`,
  `agg-${n}`,
  JSON.stringify({ id: `agg-${n}`, text: 'bench', priority: 'normal', createdAt: 'T' }),
];

/** Raw pg inserts into the real events table: one per autocommit, and 100 per transaction. */
const rawInserts = async (url: string, seconds: number) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let n = 0;
  let end = now() + seconds * 1000;
  let start = now();
  while (now() < end) await client.query(INSERT, argsOf(++n));
  const single = n / ((now() - start) / 1000);
  end = now() + seconds * 1000;
  start = now();
  let batched = 0;
  while (now() < end) {
    await client.query('BEGIN');
    for (let i = 0; i < 100; i++) await client.query(INSERT, argsOf(++n));
    await client.query('COMMIT');
    batched += 100;
  }
  await client.end();
  return { single, hundred: batched / ((now() - start) / 1000) };
};

export const postgresCommandsScenario = async (
  cluster: PostgresCluster,
  quick: boolean,
): Promise<Figure[]> => {
  const seconds = quick ? 2 : 10;
  const raw = await rawInserts(await freshDatabase(cluster), quick ? 1 : 4);
  const url = await cluster.createDatabase();
  const server = await spawnServer({
    DATABASE_URL: url,
    PORT: '0',
    LOG_LEVEL: 'info',
    ...NO_USER_LIMITS,
  });
  try {
    const run = (duration: number) =>
      autocannon({
        url: `${server.url}/api/commands/todo`,
        connections: 64,
        duration,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'create', text: 'bench' }),
      });
    await run(1); // warm up the JIT before measuring
    const result = await run(seconds);
    const accepted = result['2xx'] / result.duration;
    const f = (
      name: string,
      ironstar: number,
      baseline: number | null,
      baselineName = '',
      unit = '/s',
    ) => figure({ scenario: 'commands (postgres)', name, unit, ironstar, baseline, baselineName });
    return [
      f(
        'creates/s, 64 clients (vs raw 1 event/tx)',
        accepted,
        raw.single,
        'raw pg autocommit inserts/s',
      ),
      f('creates/s (vs raw 100 events/tx)', accepted, raw.hundred, 'raw pg inserts/s, 100 per tx'),
      f('latency p50', result.latency.p50, null, '', 'ms'),
      f('latency p99', result.latency.p99, null, '', 'ms'),
      f('non-2xx answers', result.non2xx, null, '', ''),
    ];
  } finally {
    await server.kill('SIGTERM');
  }
};

/** Realistic Todo events (one TodoCreated v2 per todo, then renames), 1,000 rows per INSERT. */
const generateEvents = async (
  url: string,
  count: number,
  todos = Math.max(1, Math.floor(count / 10)),
) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const meta = JSON.stringify({
    correlationId: 'bench',
    requestId: 'bench',
    commandId: 'bench',
    causationId: 'bench',
  });
  for (let start = 0; start < count; start += 1000) {
    const rows: string[] = [];
    const args: Array<string | number> = [];
    for (let n = start; n < Math.min(count, start + 1000); n++) {
      const e = benchEvent(n, todos);
      const p = args.length;
      rows.push(
        `($${p + 1}, $${p + 2}, 'Todo', $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, '2026-11-22T10:00:00.000Z')`,
      );
      args.push(n + 1, e.id, e.aggregateId, e.version, e.type, e.eventVersion, e.payload, meta);
    }
    await client.query(
      `INSERT INTO events (global_sequence, id, aggregate_type, aggregate_id, aggregate_sequence, event_type, event_version, payload, metadata, created_at) VALUES ${rows.join(', ')}`,
      args,
    );
  }
  await client.end();
};

/** Raw paged read of the events table by pg (which parses the json columns): the rebuild's floor. */
const rawReplay = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const start = now();
  let rows = 0;
  for (let after = 0; ; ) {
    const page = await client.query(
      'SELECT * FROM events WHERE global_sequence > $1 ORDER BY global_sequence LIMIT 1000',
      [after],
    );
    rows += page.rows.length;
    if (page.rows.length < 1000) break;
    after = Number(page.rows.at(-1)?.global_sequence);
  }
  await client.end();
  return rows / ((now() - start) / 1000);
};

export const postgresColdStartScenario = async (
  cluster: PostgresCluster,
  quick: boolean,
): Promise<Figure[]> => {
  buildCompiled();
  const f = (
    name: string,
    ironstar: number,
    baseline: number | null,
    baselineName: string,
    unit = 'ms',
  ) => figure({ scenario: 'cold start (postgres)', name, unit, ironstar, baseline, baselineName });
  const { listening: base } = await startTimes({ DATABASE_URL: await freshDatabase(cluster) }, []);
  const figures = [f('process start on an empty store', base, null, '')];
  for (const count of quick ? [10_000] : [100_000]) {
    const url = await freshDatabase(cluster);
    await generateEvents(url, count);
    const raw = await rawReplay(url);
    const full = await startTimes({ DATABASE_URL: url, PROJECTION_SNAPSHOT_EVERY: '0' }, []);
    await startTimes({ DATABASE_URL: url }, []); // saves the projection snapshots
    const fromSnapshot = await startTimes({ DATABASE_URL: url }, []);
    const label = count.toLocaleString('en-US');
    figures.push(
      f(
        `rebuild events/s from ${label} events`,
        count / (Math.max(1, full.rebuild) / 1000),
        raw,
        'raw pg paged read',
        '/s',
      ),
      f(
        `projections start, ${label} events, from snapshot`,
        fromSnapshot.rebuild,
        full.rebuild,
        'full rebuild',
      ),
      f(
        `listening, ${label} events, with snapshot`,
        fromSnapshot.listening,
        base,
        'start on an empty store',
      ),
      f(
        `ready (analytics too), ${label} events, with snapshot`,
        fromSnapshot.ready,
        full.ready,
        'ready without snapshots',
      ),
    );
  }
  return figures;
};
