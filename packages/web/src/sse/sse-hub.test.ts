import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SECURITY_HEADERS } from '../boundary/security-headers';
import { createSseHub, encodeText, type SseHub } from './sse-hub';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const hubWith = (maxConnections: number, refused: string[] = []) => {
  const hub = createSseHub({
    keepAliveMs: 60_000,
    maxConnections,
    onRefused: (feed) => refused.push(feed),
  });
  cleanups.push(() => {
    hub.abortAll();
    hub.stop();
  });
  return hub;
};

/** A node:http server whose every request opens a stream on `hub`, Node-direct. */
const serveHub = async (hub: SseHub) => {
  const server = createServer(async (req, res) => {
    const answer = hub.open(
      req.url ?? '/',
      (connection) => connection.send(encodeText('retry: 1000\n\n')),
      { outgoing: res },
    );
    if (answer.headers.get('x-hono-already-sent')) return;
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  const open = (path: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const request = get(`http://127.0.0.1:${port}${path}`, resolve);
      request.on('error', reject);
      cleanups.push(() => request.destroy());
    });
  return { open };
};

describe('the SSE hub', () => {
  it('refuses streams past its cap, across feeds, with 503 and Retry-After', async () => {
    const refused: string[] = [];
    const hub = hubWith(2, refused);
    const a = hub.open('todos', () => {});
    hub.open('events', () => {});
    const third = hub.open('events-page', () => {});
    expect(a.status).toBe(200);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await third.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect(refused).toEqual(['events-page']);
    expect(hub.size()).toBe(2);
    // A client leaving gives its slot back, once.
    await a.body?.cancel();
    await a.body?.cancel().catch(() => {});
    expect(hub.size()).toBe(1);
    expect(hub.open('todos', () => {}).status).toBe(200);
    expect(hub.open('todos', () => {}).status).toBe(503);
  });

  it('sends the pages’ security headers on streams written straight to Node', async () => {
    const hub = hubWith(10);
    const { open } = await serveHub(hub);
    const res = await open('/feed');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(res.headers[name.toLowerCase()], name).toBe(value);
    }
  });

  it('counts real sockets against the cap and frees a slot when a client disconnects', async () => {
    const hub = hubWith(3);
    const { open } = await serveHub(hub);
    const streams = await Promise.all([open('/a'), open('/b'), open('/c')]);
    expect(streams.map((s) => s.statusCode)).toEqual([200, 200, 200]);
    const refused = await open('/d');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    streams[0]?.destroy();
    await vi.waitFor(() => expect(hub.size()).toBe(2));
    expect((await open('/e')).statusCode).toBe(200);
    expect(hub.size()).toBe(3);
  });
});

describe('feeds per user', () => {
  it('refuses a user past feedsPerUser with 429 and Retry-After, and closes a session’s feeds', async () => {
    const hub = createSseHub({ keepAliveMs: 60_000, feedsPerUser: 2 });
    cleanups.push(() => {
      hub.abortAll();
      hub.stop();
    });
    const open = (userId: string, sessionId?: string) =>
      hub.open('f', () => {}, { owner: { userId, sessionId } });
    const a1 = open('alice', 's1');
    const a2 = open('alice', 's2');
    const refused = open('alice', 's1');
    expect([a1.status, a2.status, refused.status]).toEqual([200, 200, 429]);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another user, and feeds of nobody (no owner), are not counted against alice.
    expect(open('bob').status).toBe(200);
    expect(hub.open('f', () => {}).status).toBe(200);

    hub.closeSession('alice', 's1');
    await expect(a1.body?.getReader().read()).rejects.toThrow(/session ended/);
    expect(hub.sizeOf('alice')).toBe(1);
    expect(open('alice', 's3').status).toBe(200);
    hub.closeSession('alice');
    expect(hub.sizeOf('alice')).toBe(0);
    expect(hub.size()).toBe(2);
  });
});
