import { describe, expect, it, vi } from 'vitest';
import {
  type ApiEvent,
  allEvents,
  NO_USER_LIMITS,
  sendCommand,
  usePostgresCluster,
  useServers,
} from './testing/spawn-server';

const cluster = usePostgresCluster();
const servers = useServers({ postgres: cluster });

const expectGapFree = (events: ApiEvent[]) => {
  expect(events.map((e) => e.globalSequence)).toEqual(events.map((_, i) => i + 1));
};

describe('the server on PostgreSQL when the database restarts', () => {
  it('answers 503 while PostgreSQL is down, recovers by itself, and loses nothing acknowledged', async () => {
    const { env } = await servers.database('restart', 'postgres');
    const server = await servers.start({ ...NO_USER_LIMITS, ...env });
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let running = true;
    // Bounded load: 8 clients, at most 2,000 commands each, stopped below.
    const loops = Array.from({ length: 8 }, async (_, c) => {
      for (let i = 0; running && i < 2000; i++) {
        const { status, body } = await sendCommand(server.url, {
          type: 'create',
          text: `c${c}-${i}`,
        });
        statuses.push(status);
        if (status === 202) acknowledged.push(String(body.id));
        else await new Promise((resolve) => setTimeout(resolve, 20)); // back off as a client would
      }
    });
    try {
      await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(50), { timeout: 30_000 });
      await cluster().stopServer(); // fast shutdown: connections cut, in-flight transactions rolled back
      const before = statuses.length;
      // While it is down, commands are refused with 503, and readiness says unavailable.
      await vi.waitFor(
        () => expect(statuses.slice(before).filter((s) => s === 503).length).toBeGreaterThan(10),
        {
          timeout: 30_000,
        },
      );
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      const countWhileDown = acknowledged.length;
      await cluster().startServer();
      // Recovers by itself: the same process accepts commands again.
      await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(countWhileDown + 50), {
        timeout: 30_000,
      });
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    const events = await allEvents(server.url);
    expectGapFree(events);
    const stored = new Set(events.map((e) => e.aggregateId));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(events.filter((e) => e.eventType === 'TodoCreated')).toHaveLength(acknowledged.length);
    // The read side caught up too.
    await vi.waitFor(
      async () => {
        const { todos } = (await (await fetch(`${server.url}/api/todos`)).json()) as {
          todos: unknown[];
        };
        expect(todos.length).toBe(acknowledged.length);
      },
      { timeout: 30_000 },
    );
  });
});
