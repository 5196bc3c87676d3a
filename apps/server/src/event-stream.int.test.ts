import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { sendCommand, useServers } from './testing/spawn-server';

const servers = useServers();

const until = async (check: () => boolean, what: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('GET /api/events/stream with a standards EventSource client', () => {
  it('sees every stored event exactly once, in order, across server restarts', async () => {
    const { env } = await servers.database('stream.db');
    let server = await servers.start(env);

    const received: number[] = [];
    let opens = 0;
    const source = new EventSource(`${server.url}/api/events/stream?after=0`);
    servers.defer(() => source.close());
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
    server = await servers.start(env);
    await write(100);
    await until(() => opens >= 2, 'reconnect after SIGTERM');
    // …and a crash.
    await server.kill('SIGKILL');
    server = await servers.start(env);
    await write(100);
    await until(() => received.length >= 300, 'all 300 events');

    expect(opens).toBeGreaterThanOrEqual(3);
    expect(received).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
