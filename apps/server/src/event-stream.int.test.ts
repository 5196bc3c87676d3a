import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, sendCommand, spawnServer, tempDir } from './testing/spawn-server';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const until = async (check: () => boolean, what: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('GET /api/events/stream with a standards EventSource client', () => {
  it('sees every stored event exactly once, in order, across server restarts', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const env = { DATABASE_URL: `file:${join(dir, 'stream.db')}`, PORT: String(await freePort()) };
    let server = await spawnServer(env);
    cleanups.push(() => server.kill('SIGKILL'));

    const received: number[] = [];
    let opens = 0;
    const source = new EventSource(`${server.url}/api/events/stream?after=0`);
    cleanups.push(async () => source.close());
    source.onmessage = (message) => received.push(Number(message.lastEventId));
    source.onopen = () => opens++;
    await until(() => opens === 1, 'first open');

    const write = async (count: number) => {
      // Concurrent commands: 8 at a time.
      for (let i = 0; i < count; i += 8) {
        const batch = Array.from({ length: Math.min(8, count - i) }, (_, j) =>
          sendCommand(server.url, { type: 'create', text: `event ${i + j}` }),
        );
        for (const { status } of await Promise.all(batch)) expect(status).toBe(202);
      }
    };

    await write(100);
    // A graceful restart (the stream is cut, the client reconnects with Last-Event-ID)…
    await server.kill('SIGTERM');
    server = await spawnServer(env);
    await write(100);
    await until(() => opens >= 2, 'reconnect after SIGTERM');
    // …and a crash.
    await server.kill('SIGKILL');
    server = await spawnServer(env);
    await write(100);
    await until(() => received.length >= 300, 'all 300 events');

    expect(opens).toBeGreaterThanOrEqual(3);
    expect(received).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
