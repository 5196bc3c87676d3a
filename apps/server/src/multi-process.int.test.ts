import { describe, expect, it, vi } from 'vitest';
import {
  allEvents,
  freePort,
  freeStablePort,
  type ServerProcess,
  STORES,
  sendCommand,
  spawnBusProxy,
  usePostgresCluster,
  useServers,
} from './testing/spawn-server';
import { openSseClient } from './testing/sse-client';

const servers = useServers({ postgres: usePostgresCluster() });

const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const metric = (text: string, direction: 'in' | 'out') =>
  Number(
    new RegExp(`ironstar_bus_messages_total\\{direction="${direction}"\\} (\\d+)`).exec(
      text,
    )?.[1] ?? 0,
  );

/** Bus messages a process received that it did not publish (its own come back through the proxy). */
const heardFromOthers = async (p: ServerProcess | undefined) => {
  const text = await (await fetch(`${p?.url}/metrics`)).text();
  return metric(text, 'in') - metric(text, 'out');
};

const post = (p: ServerProcess, text: string) => sendCommand(p.url, { type: 'create', text });

describe.each(STORES)(
  'several server processes, one store (%s), one bus through the proxy',
  (store) => {
    it('brings every command to every process’s feeds, in order, across a proxy crash', async () => {
      const proxyEnv = {
        BUS_PROXY_PUBLISH: `tcp://127.0.0.1:${await freeStablePort()}`,
        BUS_PROXY_SUBSCRIBE: `tcp://127.0.0.1:${await freeStablePort()}`,
      };
      let proxy = await spawnBusProxy(proxyEnv);
      servers.defer(() => proxy.kill('SIGKILL'));
      const { env } = await servers.database('shared.db', store);
      const processes: ServerProcess[] = [];
      for (let i = 0; i < 3; i++) {
        processes.push(
          await servers.start({
            ...env,
            ...proxyEnv,
            PORT: String(await freePort()),
            STORE_POLL_MS: '250',
          }),
        );
      }
      const feeds = await Promise.all(
        processes.map((p) => openSseClient(`${p.url}/api/events/stream?after=0`)),
      );
      for (const feed of feeds) servers.defer(() => feed.close());

      const statuses: number[] = [];
      const send = async (from: number, to: number) => {
        await Promise.all(
          Array.from({ length: to - from }, async (_, k) => {
            const i = from + k;
            const target = processes[i % 3];
            if (!target) return;
            statuses.push(
              (await sendCommand(target.url, { type: 'create', text: `cmd ${i}` })).status,
            );
          }),
        );
      };
      await send(0, 100);
      // The bus carries events between processes, not only the store polling: the middle
      // process hears events it did not publish itself.
      await vi.waitFor(async () => expect(await heardFromOthers(processes[1])).toBeGreaterThan(0), {
        timeout: 10_000,
        interval: 100,
      });
      // The proxy dies in the middle of the stream and comes back.
      await proxy.kill('SIGKILL');
      await send(100, 200);
      proxy = await spawnBusProxy(proxyEnv);
      await send(200, 300);
      // The processes reconnect by themselves: bus traffic from the others resumes. (How much of
      // the burst around the restart the bus carried is luck; the store fills in the rest.)
      const heardAfterRestart = await heardFromOthers(processes[1]);
      let extra = 0;
      await vi.waitFor(
        async () => {
          extra++;
          const target = processes[extra % 2 === 0 ? 0 : 2];
          if (target) statuses.push((await post(target, `after restart ${extra}`)).status);
          expect(await heardFromOthers(processes[1])).toBeGreaterThan(heardAfterRestart);
        },
        { timeout: 30_000, interval: 200 },
      );
      const total = 300 + extra;

      expect(statuses.filter((s) => s !== 202)).toEqual([]);
      expect(statuses).toHaveLength(total);
      const stored = (await allEvents(processes[0]?.url ?? '')).map((e) => e.globalSequence);
      expect(stored).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      await until(
        () => feeds.every((f) => f.ids.length >= total),
        `every feed to have all ${total} events`,
      );
      for (const feed of feeds) expect(feed.ids).toEqual(stored);
      // Each process's projection (and so its Datastar page) has every todo too.
      for (const p of processes) {
        await until(
          async () =>
            ((await (await fetch(`${p.url}/api/todos`)).json()) as { todos: unknown[] }).todos
              .length === total,
          `${p.url} to list ${total} todos`,
        );
      }
    });
  },
);

describe('several server processes on one store, without a shared bus', () => {
  it('finds the trailing events its bus never carried by polling the store head', async () => {
    const { env } = await servers.database('polled.db');
    // Each process has its own in-process bus: only the store connects them.
    const watching = await servers.start({ ...env, STORE_POLL_MS: '100' });
    const writer = await servers.start({ ...env, PORT: String(await freePort()) });
    const feed = await openSseClient(`${watching.url}/api/events/stream?after=0`);
    servers.defer(() => feed.close());
    expect((await post(watching, 'through its own bus')).status).toBe(202);
    await vi.waitFor(() => expect(feed.ids).toEqual([1]));

    // No later event will follow to reveal a gap: only the head watcher can find these.
    const elsewhere = [await post(writer, 'written elsewhere'), await post(writer, 'and again')];
    expect(elsewhere.map((r) => r.status)).toEqual([202, 202]);
    await vi.waitFor(() => expect(feed.ids).toEqual([1, 2, 3]), { timeout: 10_000 });
    await vi.waitFor(
      async () => {
        const { todos } = (await (await fetch(`${watching.url}/api/todos`)).json()) as {
          todos: Array<{ text: string }>;
        };
        expect(todos.map((t) => t.text)).toEqual([
          'through its own bus',
          'written elsewhere',
          'and again',
        ]);
      },
      { timeout: 10_000 },
    );
  });
});
