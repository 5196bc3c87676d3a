import { closeSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { buildCompiled, spawnServer } from '@ironstar/server/testing';
import { createClient } from '@libsql/client';
import { type Figure, figure } from '../results';
import { generateEvents, now, percentile, removeDb, sleep } from '../support';

/** Raw paged read + JSON.parse of the events table: the floor a rebuild can reach. */
const rawReplay = async (path: string) => {
  const client = createClient({ url: `file:${path}`, concurrency: 1 });
  const start = now();
  let rows = 0;
  for (let after = 0; ; ) {
    const page = await client.execute({
      sql: 'SELECT * FROM events WHERE global_sequence > ? ORDER BY global_sequence LIMIT 1000',
      args: [after],
    });
    for (const row of page.rows) {
      JSON.parse(String(row.payload));
      JSON.parse(String(row.metadata));
    }
    rows += page.rows.length;
    if (page.rows.length < 1000) break;
    after = Number(page.rows.at(-1)?.global_sequence);
  }
  client.close();
  return rows / ((now() - start) / 1000);
};

/** The server's own measure of its in-memory projections' start (its 'projections rebuilt' log). */
const rebuildMs = (logs: readonly string[]) => {
  const line = logs
    .join('')
    .split('\n')
    .find((l) => l.includes('"msg":"projections rebuilt"'));
  const ms = Number(/"ms":(\d+)/.exec(line ?? '')?.[1]);
  if (!Number.isFinite(ms))
    throw new Error(`no 'projections rebuilt' log with ms in:\n${logs.join('')}`);
  return ms;
};

/**
 * Milliseconds from spawning the server to it listening (the in-memory projections start before
 * it listens), of the projections' start alone, and to /readyz answering 200 (every projection,
 * analytics included, caught up).
 */
export const startTimes = async (env: Record<string, string>, nodeArgs: readonly string[]) => {
  const start = now();
  // The production build under plain node, as `pnpm start` and the Docker image run it.
  const server = await spawnServer(
    { PORT: '0', LOG_LEVEL: 'info', ...env },
    { nodeArgs, compiled: true },
  );
  const listening = now() - start;
  while ((await fetch(`${server.url}/readyz`)).status !== 200) await sleep(20);
  const ready = now() - start;
  await server.kill('SIGTERM'); // a clean stop saves the projection snapshots
  return { listening, ready, rebuild: rebuildMs(server.logs) };
};

export const coldStartScenario = async (
  dir: string,
  quick: boolean,
  nodeArgs: readonly string[],
): Promise<Figure[]> => {
  buildCompiled();
  const sizes = quick ? [10_000] : [100_000, 1_000_000];
  const empty = join(dir, 'empty.db');
  removeDb(empty);
  const { listening: base } = await startTimes({ DATABASE_URL: `file:${empty}` }, nodeArgs);
  removeDb(empty);
  const figures: Figure[] = [
    figure({
      scenario: 'cold start',
      name: 'process start on an empty store',
      unit: 'ms',
      ironstar: base,
      baseline: null,
      baselineName: '',
    }),
  ];
  for (const count of sizes) {
    const path = join(dir, `cold-${count}.db`);
    await generateEvents(path, count);
    // Written with synchronous=OFF: flushed now, not by the kernel during the measurements.
    const fd = openSync(path, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    // The raw read and the full rebuild alternate, medians compared: this machine's speed
    // drifts by tens of percent within minutes (the raw read alone measured 101,000 to
    // 145,000 events/s in one afternoon), which one of each would put into the ratio.
    const rounds = quick ? 1 : 3;
    const raws: number[] = [];
    const fulls: Array<Awaited<ReturnType<typeof startTimes>>> = [];
    for (let round = 0; round < rounds; round++) {
      raws.push(await rawReplay(path));
      fulls.push(
        await startTimes(
          { DATABASE_URL: `file:${path}`, PROJECTION_SNAPSHOT_EVERY: '0' },
          nodeArgs,
        ),
      );
    }
    const raw = percentile(raws, 50);
    const first = fulls[0] as Awaited<ReturnType<typeof startTimes>>;
    const full = {
      rebuild: percentile(
        fulls.map((f) => f.rebuild),
        50,
      ),
      listening: percentile(
        fulls.map((f) => f.listening),
        50,
      ),
      // Only the first start builds the analytics file from nothing.
      ready: first.ready,
    };
    // Once with snapshots on: the rebuild saves them; the next start folds only the tail.
    await startTimes({ DATABASE_URL: `file:${path}` }, nodeArgs);
    const fromSnapshot = await startTimes({ DATABASE_URL: `file:${path}` }, nodeArgs);
    const label = count.toLocaleString('en-US');
    figures.push(
      figure({
        scenario: 'cold start',
        name: `rebuild events/s from ${label} events`,
        unit: '/s',
        ironstar: count / (Math.max(1, full.rebuild) / 1000),
        baseline: raw,
        baselineName: `raw paged read + JSON.parse (medians of ${rounds}, alternating)`,
        ...(count === 1_000_000 ? { target: '>= 0.85x' } : {}),
      }),
      figure({
        scenario: 'cold start',
        name: `projections start, ${label} events, from snapshot`,
        unit: 'ms',
        ironstar: fromSnapshot.rebuild,
        baseline: full.rebuild,
        baselineName: 'full rebuild',
      }),
      figure({
        scenario: 'cold start',
        name: `listening, ${label} events, no snapshot`,
        unit: 'ms',
        ironstar: full.listening,
        baseline: null,
        baselineName: '',
      }),
      figure({
        scenario: 'cold start',
        name: `listening, ${label} events, with snapshot`,
        unit: 'ms',
        ironstar: fromSnapshot.listening,
        baseline: base,
        baselineName: 'start on an empty store',
        ...(count === 1_000_000 ? { target: '< 1 s' } : {}),
      }),
      figure({
        scenario: 'cold start',
        name: `ready (analytics too), ${label} events, with snapshot`,
        unit: 'ms',
        ironstar: fromSnapshot.ready,
        baseline: full.ready,
        baselineName: 'ready without snapshots',
      }),
    );
    removeDb(path);
  }
  return figures;
};
