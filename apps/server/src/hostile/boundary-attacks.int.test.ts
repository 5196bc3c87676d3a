import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  freePort,
  NO_USER_LIMITS,
  type ServerProcess,
  sendCommand,
  spawnServer,
  tempDir,
} from '../testing/spawn-server';
import { openSseClient } from '../testing/sse-client';
import { holdOpen, metric, rawGet, rawRequest, rssMb } from './raw-http';

// One server for the whole suite, with small limits so each attack reaches them quickly.
const SSE_CAP = 230;
// Short, yet long enough that a busy test process still sends 200 requests' headers in time.
const HEADERS_TIMEOUT_MS = 2500;
const REQUEST_TIMEOUT_MS = 3000;
const CHECK_MS = 250;
/** What the server may hold in memory at any point of the suite (measured: 160 MB idle, 250 MB peak). */
const RSS_BOUND_MB = 450;

let server: ServerProcess;
let port: number;
let removeDir: () => Promise<void>;
const rss: number[] = [];

beforeAll(async () => {
  const dir = await tempDir();
  removeDir = dir.remove;
  port = await freePort();
  server = await spawnServer({
    DATABASE_URL: `file:${dir.dir}/hostile.db`,
    PORT: String(port),
    SSE_MAX_CONNECTIONS: String(SSE_CAP),
    // Every attack here is the local user's: the per-user limits would answer first.
    ...NO_USER_LIMITS,
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_CONNECTIONS_CHECK_MS: String(CHECK_MS),
    // Durability is proven elsewhere; here fsyncs would only slow the 2,000 creates down.
    SQLITE_SYNCHRONOUS: 'OFF',
  });
}, 60_000);
afterAll(async () => {
  await server?.kill('SIGKILL');
  await removeDir?.();
});

const url = (path: string) => `${server.url}${path}`;

/** Waits until the server counts no open SSE stream (closed ones are released asynchronously). */
const noFeedOpen = () =>
  vi.waitFor(
    async () => {
      const text = await (await fetch(url('/metrics'))).text();
      const open = text.split('\n').filter((l) => l.startsWith('ironstar_sse_connections{'));
      expect(open.reduce((sum, line) => sum + Number(line.split(' ')[1]), 0)).toBe(0);
    },
    { timeout: 10_000 },
  );
/** The store's head, through GET /api/events (readyz waits for the analytics rebuild). */
let knownHead = 0;
const head = async () => {
  for (;;) {
    const res = await fetch(url(`/api/events?after=${knownHead}&limit=1000`));
    const { events } = (await res.json()) as { events: Array<{ globalSequence: number }> };
    knownHead = events.at(-1)?.globalSequence ?? knownHead;
    if (events.length < 1000) return knownHead;
  }
};
const json = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});
const codeOf = async (res: Response) =>
  ((await res.json()) as { error?: { code: string } }).error?.code;
const rawPost = (path: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  Buffer.concat([
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${Object.entries(
        headers,
      )
        .map(([n, v]) => `${n}: ${v}\r\n`)
        .join('')}\r\n`,
      'latin1',
    ),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);

/**
 * /healthz answers, and no attack stalls the event loop. A bound, not a timing goal: the best of
 * three probes under 200 ms failed at load 10 on two cores with nothing blocked (234 ms while 200
 * replays were written), so the bound is a stall, which a blocked loop exceeds by far.
 */
const HEALTHZ_STALL_MS = 3000;

const expectHealthy = async () => {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await fetch(url('/healthz'));
    expect(res.status).toBe(200);
    best = Math.min(best, performance.now() - started);
  }
  expect(best).toBeLessThan(HEALTHZ_STALL_MS);
  rss.push(rssMb(server.child.pid ?? 0));
  expect(Math.max(...rss)).toBeLessThan(RSS_BOUND_MB);
};

/** Every refused state change in `attack` leaves the store's head where it was. */
const storesNothing = async (attack: () => Promise<void>) => {
  const before = await head();
  await attack();
  expect(await head()).toBe(before);
};

describe('the boundary under attack (a real server process)', () => {
  it('observation 9: refuses foreign hosts before routing, and foreign origins on state changes', async () => {
    await storesNothing(async () => {
      for (const [host, path] of [
        ['evil.example', '/'],
        ['localhost.evil.example', '/healthz'],
        ['evil.example:3000', '/feed'],
        ['127.0.0.2', '/api/todos'],
        ['evil.example@localhost', '/healthz'],
        ['[::2]', '/readyz'],
      ] as const) {
        const res = await rawRequest(port, rawGet(path, { Host: host }));
        expect(res.status, host).toBe(421);
        expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'misdirected_request' } });
      }
      // Absolute-form target: its host wins over the Host header.
      const absolute = await rawRequest(
        port,
        'GET http://evil.example/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      );
      expect(absolute.status).toBe(421);
      // DNS rebinding's payoff, a command under the attacker's name, is refused too.
      const rebound = await rawRequest(
        port,
        rawPost('/api/commands/todo', '{"type":"create","text":"rebound"}')
          .toString()
          .replace('Host: 127.0.0.1', 'Host: evil.example'),
      );
      expect(rebound.status).toBe(421);
      // No Host at all: Node itself refuses. Two: Node keeps the first, so it decides.
      const none = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(none.status).toBe(400);
      const two = await rawRequest(
        port,
        'GET /healthz HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      );
      expect(two.status).toBe(421);
      const command = '{"type":"create","text":"from afar"}';
      for (const headers of [
        { origin: 'http://evil.example' },
        { origin: 'http://localhost.evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
      ]) {
        const res = await fetch(url('/api/commands/todo'), json(command, headers));
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(await codeOf(res)).toBe('forbidden_origin');
      }
    });
    // The server's own origin is fine.
    const own = await fetch(
      url('/api/commands/todo'),
      json('{"type":"create","text":"mine"}', { origin: server.url }),
    );
    expect(own.status).toBe(202);
    await expectHealthy();
  });

  it('observation 6: refuses text that is not well-formed or shows nothing, anywhere in a command', async () => {
    const { body } = await sendCommand(server.url, { type: 'create', text: 'to rename' });
    const id = String(body.id);
    await storesNothing(async () => {
      for (const command of [
        '{"type":"create","text":"lone \\ud800"}',
        '{"type":"create","text":"\\udfff trailing"}',
        '{"type":"create","text":"ok","note":"\\ud800"}',
        '{"type":"create","text":"ok","\\ud800":true}',
        `{"type":"rename","id":"${id}","text":"lone \\udbff"}`,
        '{"type":"create","text":"invoice \\u202Efdp.exe"}',
        '{"type":"create","text":"isolate \\u2066x\\u2069"}',
        '{"type":"create","text":"\\u200B\\u200C\\u200D"}',
        '{"type":"create","text":"\\u3164\\uFFA0"}',
        '{"type":"create","text":"\\uFE0F\\u2800"}',
        '{"type":"create","text":"bell\\u0007"}',
      ]) {
        const res = await fetch(url('/api/commands/todo'), json(command));
        expect(res.status, command).toBe(400);
        expect(await codeOf(res), command).toBe('validation');
      }
    });
    // What the API serves stays strict JSON: valid UTF-8, no lone surrogate escapes.
    for (const path of ['/api/todos', '/api/events?after=0&limit=1000']) {
      const bytes = new Uint8Array(await (await fetch(url(path))).arrayBuffer());
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      expect(text).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
      expect(JSON.parse(text)).toBeTruthy();
    }
  });

  it('refuses stored id headers that would not be stored as sent', async () => {
    await storesNothing(async () => {
      const command = '{"type":"create","text":"x"}';
      // Header values reach JavaScript as latin1 (one code unit per byte), so they cannot
      // hold a lone surrogate: the UTF-8 bytes of one (ED A0 80) arrive as 'í\x80\xa0' and
      // are refused like any other character outside the id alphabet.
      for (const [name, bytes] of [
        ['X-Correlation-Id', Buffer.from([0x63, 0x61, 0x66, 0xe9])],
        ['X-Correlation-Id', Buffer.from([0x61, 0xed, 0xa0, 0x80])],
        ['X-Request-Id', Buffer.from('has.dot')],
        ['Idempotency-Key', Buffer.from([0x6b, 0xff])],
      ] as const) {
        const request = rawPost('/api/commands/todo', command, {
          [name]: bytes.toString('latin1'),
        });
        const res = await rawRequest(port, request);
        expect(res.status, name).toBe(400);
        expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'validation' } });
      }
      // Control characters never get past Node's parser.
      const control = await rawRequest(
        port,
        rawPost('/api/commands/todo', command, { 'X-Correlation-Id': 'a\x01b' }),
      );
      expect(control.status).toBe(400);
    });
  });

  it('refuses oversized, deep, mis-typed and malformed bodies', async () => {
    await storesNothing(async () => {
      const big = JSON.stringify({ type: 'create', text: 'x', pad: 'y'.repeat(70_000) });
      expect((await fetch(url('/api/commands/todo'), json(big))).status).toBe(413);
      // Streamed without a length: cut off at the limit all the same.
      const chunk = `2000\r\n${' '.repeat(0x2000)}\r\n`;
      const streamed = await rawRequest(
        port,
        `POST /api/commands/todo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk.repeat(20)}0\r\n\r\n`,
      );
      expect(streamed.status).toBe(413);
      const cases: Array<[BodyInit, string, number, string]> = [
        ['{"type":"create","text":"x"}', 'text/plain', 415, 'unsupported_media_type'],
        [
          `{"type":"create","text":"x","d":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
          'application/json',
          400,
          'validation',
        ],
        [
          new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
          'application/json',
          400,
          'malformed',
        ],
        ['{"type":"create",', 'application/json', 400, 'malformed'],
        ['[{"type":"create","text":"x"}]', 'application/json', 400, 'validation'],
        [
          '{"type":"create","text":"x"}',
          'application/x-www-form-urlencoded',
          415,
          'unsupported_media_type',
        ],
      ];
      for (const [body, type, status, code] of cases) {
        const res = await fetch(url('/api/commands/todo'), {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        expect(res.status, `${type} ${String(body).slice(0, 40)}`).toBe(status);
        expect(await codeOf(res)).toBe(code);
      }
      // A 20 KB header is more than Node reads at all.
      const huge = await rawRequest(
        port,
        rawGet('/healthz', { Host: '127.0.0.1', 'X-Pad': 'p'.repeat(20_000) }),
      );
      expect(huge.status).toBe(431);
    });
    await expectHealthy();
  });

  it('refuses bad positions, window sizes, paths and methods', async () => {
    for (const [path, headers, status] of [
      ['/api/events/stream', { 'last-event-id': '999999999999999' }, 400],
      ['/api/events/stream', { 'last-event-id': '-1' }, 400],
      ['/api/events/stream', { 'last-event-id': 'abc' }, 400],
      ['/api/events/stream', { 'last-event-id': '1'.repeat(40) }, 400],
      ['/events/feed', { 'last-event-id': '1e9' }, 400],
      ['/feed?limit=100000', {}, 400],
      ['/?limit=0', {}, 400],
      ['/api/todos?limit=5000', {}, 400],
      ['/api/events?limit=1000000', {}, 400],
      ['/no/such/route', {}, 404],
      ['/static/../../package.json', {}, 404],
      ['/static/%2e%2e/%2e%2e/package.json', {}, 404],
      ['/static/datastar-1.0.0-beta.11.js/../../../../etc/passwd', {}, 404],
      ['/node_modules/@starfederation/datastar/package.json', {}, 404],
    ] as const) {
      const res = await fetch(url(path), { headers });
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      const body = await res.text();
      expect(body).not.toContain('"name": "@');
      expect(body).not.toContain('root:');
    }
    // fetch normalizes ../ itself: raw targets reach the server as sent.
    for (const target of ['/static/../../../etc/passwd', '/static/..%2f..%2fpackage.json']) {
      const res = await rawRequest(port, rawGet(target, { Host: '127.0.0.1' }));
      expect(res.status, target).toBe(404);
    }
    const backslash = await rawRequest(
      port,
      rawGet('/static\\..\\package.json', { Host: '127.0.0.1' }),
    );
    expect(backslash.status).toBe(400);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(url('/api/commands/todo'), {
        method,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status, method).toBe(404);
    }
    // A position past the head resets the event log instead of waiting for ever.
    const far = await openSseClient(url('/events/feed'), { 'last-event-id': '999999' });
    expect(far.response.statusCode).toBe(200);
    await vi.waitFor(() => expect(far.ids.length).toBe(1));
    far.close();
  });

  it('observation 8: 200 event-log feeds replaying from 0 cost a few store reads, and the streams are capped', async () => {
    // Feeds earlier tests closed may still count for a moment on a loaded machine: the cap
    // below is counted from none.
    await noFeedOpen();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 270) {
          next++;
          expect((await sendCommand(server.url, { type: 'create', text: `e${next}` })).status).toBe(
            202,
          );
        }
      }),
    );
    const top = await head();
    const reads = async () =>
      metric(await (await fetch(url('/metrics'))).text(), 'ironstar_feed_store_reads_total');
    const readsBefore = await reads();
    // Opened paused, so this process writes every request before it parses any replay.
    const replays = await Promise.all(
      Array.from({ length: 200 }, () =>
        openSseClient(url('/events/feed'), { 'last-event-id': '0' }, { paused: true }),
      ),
    );
    expect(replays.map((r) => r.response.statusCode).filter((status) => status !== 200)).toEqual(
      [],
    );
    for (const replay of replays) replay.resume();
    await expectHealthy(); // while 200 replays are being written
    await vi.waitFor(() => expect(replays.every((r) => r.ids.at(-1) === top)).toBe(true), {
      timeout: 30_000,
    });
    // Each got every event once, in order (their rows' ids), from a handful of store reads
    // (5 when measured; one reader per connection made 400).
    for (const replay of replays) {
      expect(replay.ids).toEqual(Array.from({ length: top }, (_, i) => i + 1));
    }
    expect((await reads()) - readsBefore).toBeLessThanOrEqual(10);

    // Up to the cap across every feed, then 503 with Retry-After.
    const others = await Promise.all(
      Array.from({ length: SSE_CAP - 200 }, (_, i) =>
        openSseClient(
          url(
            ['/feed', '/api/events/stream', '/time-travel/feed', '/system/feed'][i % 4] ?? '/feed',
          ),
        ),
      ),
    );
    expect(others.every((o) => o.response.statusCode === 200)).toBe(true);
    for (const path of ['/feed', '/api/events/stream', '/events/feed', '/time-travel/feed']) {
      const refused = await fetch(url(path), { headers: { accept: 'text/event-stream' } });
      expect(refused.status, path).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await codeOf(refused)).toBe('unavailable');
    }
    await expectHealthy();
    // Slots come back when clients leave.
    for (const stream of [...replays, ...others]) stream.close();
    await noFeedOpen();
    const again = await openSseClient(url('/feed'));
    expect(again.response.statusCode).toBe(200);
    again.close();
  });

  it('closes slow headers, slow bodies and silent sockets, while SSE streams stay open', async () => {
    const stream = await openSseClient(url('/api/events/stream'));
    const opened = performance.now();
    const slowHeaders = holdOpen(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const slowBody = holdOpen(
      port,
      'POST /api/commands/todo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":',
    );
    const silent = holdOpen(port, '');
    const bound = REQUEST_TIMEOUT_MS + CHECK_MS + 3000;
    const [headersAnswer, bodyAnswer] = await Promise.all([
      slowHeaders.closed,
      slowBody.closed,
      silent.closed,
    ]);
    // All three were cut off by the server (this wait has no other end), within the bound.
    expect(performance.now() - opened).toBeLessThan(bound);
    expect(headersAnswer).toMatch(/^HTTP\/1\.1 408|^$/);
    expect(bodyAnswer).toMatch(/^HTTP\/1\.1 408|^$/);
    // The stream opened before them, older than both timeouts now, still delivers.
    const { body } = await sendCommand(server.url, { type: 'create', text: 'after the timeouts' });
    await vi.waitFor(() => expect(stream.ids).toContain(Number(body.sequence)));
    expect(stream.response.destroyed).toBe(false);
    stream.close();
  });

  it('observation 7: with thousands of todos, the page and each change stay small', async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 2000) {
          next++;
          await sendCommand(server.url, { type: 'create', text: `${'x'.repeat(480)} ${next}` });
        }
      }),
    );
    const page = await (await fetch(url('/'))).text();
    expect(page.match(/<li id="todo-/g)).toHaveLength(200);
    expect(page.length).toBeLessThan(1_000_000);
    expect(page).toMatch(/\d{4} items left/);
    const position = (
      (await (await fetch(url('/api/todos?limit=1'))).json()) as { sequence: number }
    ).sequence;
    // Five open tabs, ten commands: what they are sent is ten small patches each.
    const bytes = async () =>
      metric(
        await (await fetch(url('/metrics'))).text(),
        'ironstar_feed_bytes_total{feed="todos",stage="sent"}',
      );
    const tabs = await Promise.all(
      Array.from({ length: 5 }, () =>
        openSseClient(url('/feed'), { 'last-event-id': String(position) }),
      ),
    );
    const sentBefore = await bytes();
    let last = 0;
    for (let i = 0; i < 10; i++) {
      last = Number(
        (await sendCommand(server.url, { type: 'create', text: `tab test ${i}` })).body.sequence,
      );
    }
    await vi.waitFor(() => expect(tabs.every((t) => t.ids.at(-1) === last)).toBe(true));
    const sent = (await bytes()) - sentBefore;
    expect(sent).toBeGreaterThan(0);
    // A patch is a row (~2.6 KB of markup and Datastar expressions) and the counts (~2 KB).
    expect(sent).toBeLessThan(5 * 10 * 8192);
    for (const tab of tabs) tab.close();
    await expectHealthy();
  });

  it('sends the pages’ security headers on SSE streams too', async () => {
    const page = await fetch(url('/'));
    const csp = page.headers.get('content-security-policy');
    expect(csp).toContain("default-src 'self'");
    for (const path of [
      '/feed',
      '/api/events/stream',
      '/events/feed',
      '/time-travel/feed',
      '/system/feed',
    ]) {
      const stream = await openSseClient(url(path));
      expect(stream.response.headers['content-security-policy'], path).toBe(csp);
      expect(stream.response.headers['x-content-type-options'], path).toBe('nosniff');
      expect(stream.response.headers['x-frame-options'], path).toBe('SAMEORIGIN');
      stream.close();
    }
  });

  it('stays within its memory bound, and stops within 10 s of SIGTERM', async () => {
    await expectHealthy();
    const stopped = server.kill('SIGTERM');
    const code = await Promise.race([
      stopped,
      new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000)),
    ]);
    expect(code).toBe(0);
  });
});
