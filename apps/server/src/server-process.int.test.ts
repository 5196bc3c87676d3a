import { describe, expect, it } from 'vitest';
import {
  type ApiEvent,
  allEvents,
  NO_USER_LIMITS,
  STORES,
  sendCommand,
  spawnServer,
  usePostgresCluster,
  useServers,
} from './testing/spawn-server';

const servers = useServers({ postgres: usePostgresCluster() });
// The load below is thousands of one user's commands a minute: past RATE_LIMIT_PER_MINUTE.
const start = (env: Record<string, string>) => servers.start({ ...NO_USER_LIMITS, ...env });

const expectGapFree = (events: ApiEvent[]) => {
  expect(events.map((e) => e.globalSequence)).toEqual(events.map((_, i) => i + 1));
  const versions = new Map<string, number>();
  for (const e of events) {
    expect(e.aggregateSequence).toBe((versions.get(e.aggregateId) ?? 0) + 1);
    versions.set(e.aggregateId, e.aggregateSequence);
  }
};

/** Fires create commands from `clients` loops until stopped; records every 202. */
const load = (url: string, clients: number) => {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; running && i < 10_000; i++) {
      try {
        const { status, body } = await sendCommand(url, { type: 'create', text: `c${c}-${i}` });
        if (status === 202) acknowledged.push(String(body.id));
        else if (status !== 503) failures.push(`${status} ${JSON.stringify(body)}`);
      } catch {
        // connection refused or reset while the server goes down: not acknowledged
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  });
  return {
    acknowledged,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
};

describe.each(STORES)('the server as an OS process, on %s', (store) => {
  it('loses nothing it acknowledged when SIGKILLed under load, and serves again', async () => {
    const { env } = await servers.database('kill.db', store);
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const server = await start(env);
      const traffic = load(server.url, 16);
      while (traffic.acknowledged.length < 50) await new Promise((r) => setTimeout(r, 10));
      await server.kill('SIGKILL');
      await traffic.stop();
      expect(traffic.failures).toEqual([]);
      acknowledged.push(...traffic.acknowledged);
    }
    const server = await start(env);
    const events = await allEvents(server.url);
    expectGapFree(events);
    const stored = new Set(events.map((e) => e.aggregateId));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const todos = (await (await fetch(`${server.url}/api/todos`)).json()) as {
      todos: Array<{ id: string }>;
    };
    expect(todos.todos.length).toBe(events.length);
    expect((await sendCommand(server.url, { type: 'create', text: 'still alive' })).status).toBe(
      202,
    );
  });
});

describe('the server as an OS process', () => {
  it('stops on SIGTERM with exit code 0, answering in-flight commands first', async () => {
    const { env } = await servers.database('term.db');
    const server = await start(env);
    const traffic = load(server.url, 8);
    while (traffic.acknowledged.length < 30) await new Promise((r) => setTimeout(r, 10));
    expect(await server.kill('SIGTERM')).toBe(0);
    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    expect(server.logs.join('')).toContain('ironstar stopped');
    const again = await start(env);
    const stored = new Set((await allEvents(again.url)).map((e) => e.aggregateId));
    expect(traffic.acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('refuses to start with a bad configuration value, saying which', async () => {
    const failed = await spawnServer({ PORT: 'eighty' }).catch((error: Error) => error);
    expect(String(failed)).toMatch(/PORT must be an integer/);
  });
});
