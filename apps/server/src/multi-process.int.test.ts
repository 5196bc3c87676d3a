import { describe, expect, it } from 'vitest';
import {
  allEvents,
  freePort,
  freeStablePort,
  type ServerProcess,
  sendCommand,
  spawnBusProxy,
  useServers,
} from './testing/spawn-server';
import { openSseClient } from './testing/sse-client';

const servers = useServers();

const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('several server processes, one store, one bus through the proxy', () => {
  it('brings every command to every process’s feeds, in order, across a proxy crash', async () => {
    const proxyEnv = {
      BUS_PROXY_PUBLISH: `tcp://127.0.0.1:${await freeStablePort()}`,
      BUS_PROXY_SUBSCRIBE: `tcp://127.0.0.1:${await freeStablePort()}`,
    };
    let proxy = await spawnBusProxy(proxyEnv);
    servers.defer(() => proxy.kill('SIGKILL'));
    const { env } = await servers.database('shared.db');
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
    // The proxy dies in the middle of the stream and comes back.
    await proxy.kill('SIGKILL');
    await send(100, 200);
    proxy = await spawnBusProxy(proxyEnv);
    await send(200, 300);

    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const stored = (await allEvents(processes[0]?.url ?? '')).map((e) => e.globalSequence);
    expect(stored).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await until(() => feeds.every((f) => f.ids.length >= 300), 'every feed to have all 300 events');
    for (const feed of feeds) expect(feed.ids).toEqual(stored);
    // Each process's projection (and so its Datastar page) has every todo too.
    for (const p of processes) {
      await until(
        async () =>
          ((await (await fetch(`${p.url}/api/todos`)).json()) as { todos: unknown[] }).todos
            .length === 300,
        `${p.url} to list 300 todos`,
      );
    }
    // Bus traffic did flow between processes (not only the store polling).
    const metrics = await (await fetch(`${processes[1]?.url}/metrics`)).text();
    expect(
      Number(/ironstar_bus_messages_total\{direction="in"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThan(100);
  });
});
