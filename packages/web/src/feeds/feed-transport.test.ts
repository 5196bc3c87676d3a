import { createGunzip } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../sse/sse-compression';
import { createSseHub, encodeText } from '../sse/sse-hub';
import { createTestApp, readSse } from '../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('SSE transport', () => {
  it('negotiates brotli, then gzip, honouring q=0', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeUndefined();
    expect(negotiateEncoding(undefined)).toBeUndefined();
  });

  it('compresses a feed and flushes every event, so each arrives whole and at once', async () => {
    const t = await createTestApp({ compression: true });
    close = t.close;
    await t.command({ type: 'open', owner: 'compressed <b>' });
    const res = await t.app.request('/api/events/stream?after=0', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const gunzip = createGunzip();
    let text = '';
    gunzip.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const reader = res.body?.getReader();
    const deadline = Date.now() + 2000;
    let live = false;
    // Keep reading the compressed stream; a live change must come out of it without the stream ending.
    while (!text.includes('second one') && Date.now() < deadline) {
      const { value, done } = (await reader?.read()) ?? { done: true, value: undefined };
      if (done || !value) break;
      gunzip.write(value);
      await new Promise((r) => setTimeout(r, 5));
      if (!live && text.includes('compressed <b>')) {
        live = true;
        void t.command({ type: 'open', owner: 'second one' });
      }
    }
    await reader?.cancel();
    expect(text).toContain('"owner":"compressed <b>"');
    expect(text).toContain('second one');
  });

  it('sends no compression when it is turned off', async () => {
    const t = await createTestApp({ compression: false });
    close = t.close;
    await t.command({ type: 'open', owner: 'plain' });
    const res = await t.app.request('/api/events/stream?after=0', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await readSse(res, (s) => s.includes('plain'))).toContain('"eventType":"CartOpened"');
  });

  it('sends a keep-alive comment at the configured interval', async () => {
    const hub = createSseHub({ keepAliveMs: 30 });
    const res = hub.open('test', (connection) => connection.send(encodeText('retry: 1000\n\n')));
    const text = await readSse(res, (s) => (s.match(/: keep-alive/g) ?? []).length >= 2);
    expect(text.startsWith('retry: 1000\n\n: keep-alive\n\n')).toBe(true);
    hub.stop();
  });

  it('answers /readyz 503 until the projection has caught up with the store', async () => {
    const t = await createTestApp();
    close = t.close;
    expect((await t.app.request('/readyz')).status).toBe(200);
    // Stored but not yet delivered: the projection is behind.
    const id = '00000000-0000-4000-8000-000000000001';
    const appended = await t.store.append({
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      expectedVersion: 0,
      events: [{ id: 'e1', type: 'CartOpened', data: { id, owner: 'x', openedAt: 'T' } }],
    });
    const behind = await t.app.request('/readyz');
    expect(behind.status).toBe(503);
    expect(((await behind.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    await t.bus.publish(appended._unsafeUnwrap().events);
    await expect.poll(async () => (await t.app.request('/readyz')).status).toBe(200);
  });
});
