import { request } from 'node:http';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { orderCommand } from './testing/orders-client';
import { useServers } from './testing/spawn-server';

const servers = useServers();

// Every Datastar feed a page opens (an aggregate's state-machine feed is added per test).
const FEEDS = [
  '/feed',
  '/events/feed',
  '/system/feed',
  '/time-travel/feed',
  '/analytics/feed',
  '/orders/feed',
  '/processes/feed',
  '/state-machines/feed',
];

/**
 * Opens a feed asking for `encoding`; resolves with its Content-Encoding and the first
 * decompressed text, once it holds the feed's "live" hello (then the connection is closed).
 */
const firstFrame = (url: string, encoding: 'br' | 'gzip') =>
  new Promise<{ contentEncoding: string | undefined; text: string }>((resolve, reject) => {
    const req = request(
      `${url}`,
      { headers: { accept: 'text/event-stream', 'accept-encoding': encoding } },
      (res) => {
        const contentEncoding = res.headers['content-encoding'];
        const inflate = contentEncoding === 'br' ? createBrotliDecompress() : createGunzip();
        if (contentEncoding !== encoding) {
          req.destroy();
          resolve({ contentEncoding, text: '' });
          return;
        }
        let text = '';
        inflate.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('"_conn":"live"')) {
            req.destroy();
            resolve({ contentEncoding, text });
          }
        });
        inflate.on('error', reject);
        res.pipe(inflate);
      },
    );
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`no frame from ${url}`)));
    req.end();
  });

describe('feed compression', () => {
  it('answers every feed compressed when the client asks, and plain when it does not', async () => {
    const { env } = await servers.database('compression.db');
    const server = await servers.start({ ...env, SSE_COMPRESSION: 'on' });
    const order = await orderCommand(server.url, {
      type: 'create',
      items: [{ sku: 'tea', quantity: 1, priceCents: 100 }],
    });
    expect(order.status).toBe(202);
    const machineFeed = `/state-machines/Order/${String(order.body.id)}/feed`;
    for (const feed of [...FEEDS, machineFeed]) {
      for (const encoding of ['br', 'gzip'] as const) {
        const { contentEncoding, text } = await firstFrame(`${server.url}${feed}`, encoding);
        expect(contentEncoding, `${feed} ${encoding}`).toBe(encoding);
        expect(text.startsWith('retry: 1000\n\n'), feed).toBe(true);
      }
      const plain = await fetch(`${server.url}${feed}`, {
        headers: { 'accept-encoding': 'identity' },
      });
      expect(plain.headers.get('content-encoding'), feed).toBeNull();
      await plain.body?.cancel();
    }
  });
});
