import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { allEvents, NO_USER_LIMITS, sendCommand, useServers } from './testing/spawn-server';
import { openSseClient } from './testing/sse-client';

const servers = useServers();

const until = async (check: () => boolean, what: string, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** `count` creates from 8 concurrent loops, each text `size` characters long. */
const write = async (url: string, count: number, size = 10) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const text = `event ${i} `.padEnd(size, '·');
        expect((await sendCommand(url, { type: 'create', text })).status).toBe(202);
      }
    }),
  );
};

describe('GET /api/events/stream under stress', () => {
  it('gives a reconnecting EventSource every event exactly once, in order, however often it drops', async () => {
    const { env } = await servers.database('reconnects.db');
    const server = await servers.start({ ...env, ...NO_USER_LIMITS });
    // A fetch whose streams break at random points, as flaky networks do; EventSource then
    // reconnects by itself with Last-Event-ID.
    let drops = 0;
    const flakyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = response.body;
      if (!body) return response;
      const reader = body.getReader();
      const cutAfter = 15_000 + Math.floor(Math.random() * 60_000);
      let seen = 0;
      const broken = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) return controller.close();
          seen += value.byteLength;
          controller.enqueue(value);
          if (seen > cutAfter) {
            drops++;
            await reader.cancel();
            controller.error(new Error('network dropped'));
          }
        },
        cancel: () => reader.cancel(),
      });
      return new Response(broken, { status: response.status, headers: response.headers });
    };
    const received: number[] = [];
    const source = new EventSource(`${server.url}/api/events/stream?after=0`, {
      fetch: flakyFetch,
    });
    servers.defer(() => source.close());
    source.onmessage = (message) => received.push(Number(message.lastEventId));
    await write(server.url, 500);
    await until(() => received.length >= 500, '500 events');
    const stored = (await allEvents(server.url)).map((e) => e.globalSequence);
    expect(stored).toHaveLength(500);
    expect(received).toEqual(stored);
    expect(drops).toBeGreaterThanOrEqual(3);
  });

  it('switches a stalled reader to the store and still delivers every event exactly once', async () => {
    const { env } = await servers.database('slow.db');
    const server = await servers.start({ ...env, ...NO_USER_LIMITS, SUBSCRIBER_BUFFER: '64' });
    const slow = await openSseClient(`${server.url}/api/events/stream?after=0`);
    servers.defer(() => slow.close());
    slow.pause(); // the reader stops taking bytes
    // Large events, so the kernel's socket buffers (a few MB on loopback) fill up and the
    // server feels the stall.
    await write(server.url, 6000, 500);
    const encodedWhileStalled = await encodedBytes(server.url);
    slow.resume();
    await until(() => slow.ids.length >= 6000, 'the stalled reader to catch up', 120_000);
    expect(slow.ids).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /ironstar_subscribers_fell_behind_total\{subscriber="events-stream"\} [1-9]/,
    );
    // While stalled, the server stopped producing frames for it (it did not queue them all in
    // memory): the rest were read from the store once it resumed.
    expect(encodedWhileStalled).toBeLessThan(await encodedBytes(server.url));
    // 6,000 large commands: ~13 s on a quiet 2-core box, over 60 s when it is shared.
  }, 240_000);
});

const encodedBytes = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/ironstar_feed_bytes_total\{feed="events",stage="encoded"\} (\d+)/.exec(text)?.[1]);
};
