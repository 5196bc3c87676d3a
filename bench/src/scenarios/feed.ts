import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildCompiled,
  NO_USER_LIMITS,
  type ServerProcess,
  spawnServer,
} from '@ironstar/server/testing';
import { serverRun } from '../profile';
import { type Figure, figure } from '../results';
import { metric, now, percentile, removeDb, runTs, sleep } from '../support';

const CLIENT = fileURLToPath(new URL('../feed-client.ts', import.meta.url));
const BARE = fileURLToPath(new URL('../bare-sse-server.ts', import.meta.url));

/** A payload about the size of a stored todo event on the wire. */
const body = (n: number) => ({ type: 'create', text: `bench event ${n}`.padEnd(120, '.') });

type Target = {
  streamUrl: string;
  /** Sends one command; resolves with its sequence and when its 202's headers arrived. */
  publish: (n: number) => Promise<{ sequence: number; acceptedAt: number }>;
  rss: () => Promise<number>;
  stop: () => Promise<unknown>;
};

const ironstar = async (dir: string, nodeArgs: readonly string[]): Promise<Target> => {
  const path = join(dir, 'feed.db');
  removeDb(path);
  const server: ServerProcess = await spawnServer(
    {
      DATABASE_URL: `file:${path}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      SSE_COMPRESSION: 'off',
      // The memory run holds 10,000 feeds, the default cap itself: leave room above it.
      SSE_MAX_CONNECTIONS: '20000',
      // The bench's clients are all the local user: no per-user limits.
      ...NO_USER_LIMITS,
    },
    serverRun(nodeArgs),
  );
  return {
    streamUrl: `${server.url}/api/events/stream`,
    publish: async (n) => {
      const res = await fetch(`${server.url}/api/commands/todo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(n)),
      });
      const acceptedAt = now(); // the 202's headers, before the body is read and parsed
      return { sequence: ((await res.json()) as { sequence: number }).sequence, acceptedAt };
    },
    rss: () => metric(server.url, 'ironstar_process_resident_memory_bytes'),
    stop: async () => {
      await server.kill('SIGTERM');
      removeDb(path);
    },
  };
};

const bare = async (): Promise<Target> => {
  const server = runTs(BARE, []);
  const { port } = (await server.next()) as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    streamUrl: `${base}/stream`,
    publish: async (n) => {
      const res = await fetch(`${base}/publish`, { method: 'POST', body: JSON.stringify(body(n)) });
      const acceptedAt = now();
      return { sequence: ((await res.json()) as { sequence: number }).sequence, acceptedAt };
    },
    rss: async () => ((await (await fetch(`${base}/rss`)).json()) as { rss: number }).rss,
    stop: async () => server.child.kill('SIGTERM'),
  };
};

/** Opens `connections` feeds, sends `events` commands, and measures accept → arrival. */
const measure = async (target: Target, connections: number, events: number) => {
  const rssBefore = await target.rss();
  const client = runTs(CLIENT, [target.streamUrl, String(connections), String(events), '120000']);
  await client.next(); // ready: every connection open
  await sleep(500); // let the server settle before reading its memory
  const rssIdle = await target.rss();
  const accepted = new Map<number, number>();
  for (let n = 0; n < events; n++) {
    const { sequence, acceptedAt } = await target.publish(n);
    accepted.set(sequence, acceptedAt);
    await sleep(connections >= 1000 ? 100 : 30); // one event at a time through the fan-out
  }
  const { base, arrivals } = (await client.next()) as {
    base: number;
    arrivals: Array<[number, number[]]>;
  };
  const latencies: number[] = [];
  let delivered = 0;
  for (const [sequence, times] of arrivals) {
    const at = accepted.get(sequence);
    if (at === undefined) continue;
    delivered += times.length;
    for (const t of times) latencies.push(base + t - at);
  }
  client.child.kill('SIGTERM');
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    delivered,
    expected: connections * events,
    rssPerConnection: (rssIdle - rssBefore) / connections,
  };
};

export const feedScenario = async (
  dir: string,
  quick: boolean,
  nodeArgs: readonly string[],
): Promise<Figure[]> => {
  buildCompiled();
  const sizes = quick ? [20, 100] : [100, 1000, 5000];
  const memorySizes = quick ? [] : [10_000];
  const events = quick ? 5 : 20;
  const figures: Figure[] = [];
  for (const connections of [...sizes, ...memorySizes]) {
    const latencyRun = sizes.includes(connections);
    const ours = await ironstar(dir, nodeArgs);
    const mine = await measure(ours, connections, latencyRun ? events : 1).finally(() =>
      ours.stop(),
    );
    const base = await bare();
    const theirs = await measure(base, connections, latencyRun ? events : 1).finally(() =>
      base.stop(),
    );
    if (latencyRun) {
      figures.push(
        figure({
          scenario: 'feed',
          name: `accept → frame p50 at ${connections} feeds`,
          unit: 'ms',
          ironstar: mine.p50,
          baseline: theirs.p50,
          baselineName: 'bare node:http broadcast',
        }),
        figure({
          scenario: 'feed',
          name: `accept → frame p99 at ${connections} feeds`,
          unit: 'ms',
          ironstar: mine.p99,
          baseline: theirs.p99,
          baselineName: 'bare node:http broadcast',
          ...(connections === 1000 ? { target: '<= 1.5x' } : {}),
        }),
      );
    }
    // Every size, the memory-only one too (it sends one event): proof every feed was served.
    figures.push(
      figure({
        scenario: 'feed',
        name: `frames delivered at ${connections} feeds`,
        unit: '',
        ironstar: mine.delivered,
        baseline: mine.expected,
        baselineName: 'expected',
      }),
    );
    if (connections >= 1000 || quick) {
      figures.push(
        figure({
          scenario: 'feed memory',
          name: `RSS per idle feed at ${connections}`,
          unit: 'KB',
          ironstar: mine.rssPerConnection / 1024,
          baseline: theirs.rssPerConnection / 1024,
          baselineName: 'bare node:http',
          target: '<= 25 KB',
        }),
      );
    }
  }
  return figures;
};
