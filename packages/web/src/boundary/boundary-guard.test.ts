import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../app-env';
import { errorJson } from '../http-errors';
import { createTestApp } from '../testing/test-app';
import { boundaryGuard, jsonBodyLimit, MAX_BODY_BYTES } from './boundary-guard';
import { createHostPolicy, LOOPBACK_HOSTS } from './host-policy';
import { SECURITY_HEADERS } from './security-headers';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  return t;
};

const ECHO_LIMIT = 200;

/** A route behind the guard that answers with what it reads of the body, with a 200-byte limit. */
const echoApp = () =>
  new Hono<AppEnv>().use(boundaryGuard(createHostPolicy(LOOPBACK_HOSTS))).post(
    '/echo',
    jsonBodyLimit({
      maxSize: ECHO_LIMIT,
      onError: (c) =>
        errorJson(c, 'payload_too_large', `echo bodies are limited to ${ECHO_LIMIT} bytes`),
    }),
    async (c) => {
      const body = await c.req.json();
      const text = await c.req.text();
      const bytes = (await c.req.arrayBuffer()).byteLength;
      return c.json({ body, text, bytes });
    },
  );

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

const post = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

describe('the boundary guard', () => {
  it('refuses a foreign Host with 421 before routing, security headers included', async () => {
    const t = await setup();
    for (const host of [
      'evil.example',
      'localhost.evil.example',
      'evil.example:3000',
      '127.0.0.2',
    ]) {
      for (const path of ['/', '/healthz', '/feed', '/no-such-route']) {
        const res = await t.app.request(path, { headers: { host } });
        expect(res.status, `${host}${path}`).toBe(421);
        expect(await errorOf(res)).toMatchObject({ code: 'misdirected_request' });
        expect(res.headers.get('content-security-policy')).toBe(
          SECURITY_HEADERS['Content-Security-Policy'],
        );
      }
    }
    expect(t.hub.size()).toBe(0);
  });

  it('refuses an absolute-form request target naming a foreign host', async () => {
    const t = await setup();
    const res = await t.app.request('http://evil.example/healthz', {
      headers: { host: 'localhost' },
    });
    expect(res.status).toBe(421);
  });

  it('serves the loopback names', async () => {
    const t = await setup();
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:8080', 'LOCALHOST']) {
      expect((await t.app.request('/healthz', { headers: { host } })).status).toBe(200);
    }
  });

  it('refuses state changes from a foreign or null Origin, or cross-site, and stores nothing', async () => {
    const t = await setup();
    const body = JSON.stringify({ type: 'open', owner: 'from afar' });
    for (const headers of [
      { origin: 'http://evil.example' },
      { origin: 'http://localhost.evil.example:3000' },
      { origin: 'null' },
      { origin: 'file://' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const res = await t.app.request('/api/commands/cart', post(body, headers));
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await errorOf(res)).toMatchObject({ code: 'forbidden_origin' });
    }
    expect(t.events).toHaveLength(0);
    const same = await t.app.request(
      '/api/commands/cart',
      post(body, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' }),
    );
    expect(same.status).toBe(202);
  });

  it('lets reads from any Origin through (they change nothing)', async () => {
    const t = await setup();
    const res = await t.app.request('/api/events', { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(200);
  });

  it('refuses stored id headers that are not exactly what would be stored', async () => {
    const t = await setup();
    const body = JSON.stringify({ type: 'open', owner: 'x' });
    for (const headers of [
      { 'x-correlation-id': 'has space' },
      { 'x-correlation-id': 'caf\u00e9' },
      { 'x-correlation-id': 'x'.repeat(129) },
      { 'x-request-id': 'a.b' },
      { 'x-request-id': 'y'.repeat(129) },
    ]) {
      const res = await t.app.request('/api/commands/cart', post(body, headers));
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'validation' });
    }
    expect(t.events).toHaveLength(0);
    // On a read they are only replaced, as before.
    const read = await t.app.request('/api/events', {
      headers: { 'x-correlation-id': 'has space' },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-correlation-id')).not.toBe('has space');
  });

  it('refuses lone surrogates anywhere in a JSON body, even in fields no route reads', async () => {
    const t = await setup();
    for (const body of [
      '{"type":"open","owner":"lone \\ud800"}',
      '{"type":"open","owner":"ok","extra":"\\udfff"}',
      '{"type":"open","owner":"ok","\\ud800":1}',
      '{"type":"open","owner":"ok","nested":[{"a":["\\ud800"]}]}',
    ]) {
      const res = await t.app.request('/api/commands/cart', post(body));
      expect(res.status, body).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'validation' });
    }
    expect(t.events).toHaveLength(0);
  });

  it('refuses deep JSON, invalid UTF-8 and oversized bodies on any route', async () => {
    const t = await setup();
    const deep = `{"type":"open","owner":"x","d":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(await errorOf(await t.app.request('/api/commands/cart', post(deep)))).toMatchObject({
      code: 'validation',
    });
    const invalidUtf8 = new Uint8Array([
      ...new TextEncoder().encode('{"type":"open","owner":"'),
      0xff,
      0x22,
      0x7d,
    ]);
    const res = await t.app.request('/api/commands/cart', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: invalidUtf8,
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'malformed' });
    const huge = JSON.stringify({ type: 'open', owner: 'x', pad: 'y'.repeat(70_000) });
    const tooLarge = await t.app.request('/no-such-route', post(huge));
    expect(tooLarge.status).toBe(413);
    expect(t.events).toHaveLength(0);
  });

  it('hands the checked body on to the route unchanged', async () => {
    const t = await setup();
    const res = await t.app.request(
      '/api/commands/cart',
      post('{"type":"open","owner":"𝄞 \\u00e9t\\u00e9","priority":"high"}'),
    );
    expect(res.status).toBe(202);
    expect(t.events[0]?.payload).toMatchObject({ owner: '𝄞 été' });
  });

  it("hands a route the checked body's text, so reading it does not read the request again", async () => {
    const app = echoApp();
    const json = '{"text":"caf\u00e9 \ud834\udd1e","n":[1,2]}';
    const res = await app.request('http://localhost/echo', post(json));
    expect(await res.json()).toEqual({
      body: { text: 'café 𝄞', n: [1, 2] },
      text: json,
      bytes: new TextEncoder().encode(json).byteLength,
    });
    // A route's stricter limit measures the checked body.
    const long = JSON.stringify({ text: 'x'.repeat(ECHO_LIMIT) });
    const refused = await app.request('http://localhost/echo', post(long));
    expect(refused.status).toBe(413);
    expect((await errorOf(refused)).message).toBe(`echo bodies are limited to ${ECHO_LIMIT} bytes`);
  });

  it('on Node, reads the request itself: same answers, limits, chunked bodies', async () => {
    const server = serve({ fetch: echoApp().fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    close = async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/echo`;
    const json = '{"text":"caf\u00e9 \ud834\udd1e"}';
    const res = await fetch(url, post(json));
    expect(await res.json()).toEqual({
      body: { text: 'café 𝄞' },
      text: json,
      bytes: new TextEncoder().encode(json).byteLength,
    });
    // Chunked: no Content-Length, the body arrives in pieces.
    const pieces = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"n":'));
        controller.enqueue(new TextEncoder().encode('[1,2]}'));
        controller.close();
      },
    });
    const chunked = await fetch(url, { ...post(''), body: pieces, duplex: 'half' } as RequestInit);
    expect(await chunked.json()).toMatchObject({ body: { n: [1, 2] }, text: '{"n":[1,2]}' });
    const long = JSON.stringify({ text: 'x'.repeat(ECHO_LIMIT) });
    expect((await fetch(url, post(long))).status).toBe(413);
    const huge = await fetch(url, post(JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) })));
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe('payload_too_large');
    const bad = await fetch(url, post(String.raw`{"text":"\ud800"}`));
    expect(bad.status).toBe(400);
  });
});
