import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderCommand } from '../src/testing/orders-client';
import { type ServerProcess, sendCommand } from '../src/testing/spawn-server';
import {
  expectFits,
  launchChromium,
  SIZES,
  type screenshots,
  startServer,
  waitLive,
  watchPage,
} from './browser';

const PAGES = [
  '/',
  '/?filter=active',
  '/events',
  '/time-travel',
  '/system',
  '/analytics',
  '/orders',
  '/state-machines',
  '/processes',
];

let browser: Browser;
let server: ServerProcess;
let stop: () => Promise<void>;
let shoot: ReturnType<typeof screenshots>;
/** An order with long, right-to-left and hostile item names; its own page is laid out too. */
let orderId: string;

beforeAll(async () => {
  ({ server, shoot, stop } = await startServer('layout.db'));
  browser = await launchChromium();
  // Content that tends to widen pages: a long unbroken word, right-to-left text, priorities.
  const ids: string[] = [];
  for (const [text, priority] of [
    ['buy milk', 'high'],
    ['write the quarterly report for the board, with the charts and the appendix', 'normal'],
    ['Supercalifragilisticexpialidocious-and-then-some-more-without-any-space-at-all', 'low'],
    ['להתקשר לאמא', 'normal'],
  ] as const) {
    ids.push(String((await sendCommand(server.url, { type: 'create', text, priority })).body.id));
  }
  await sendCommand(server.url, { type: 'complete', id: ids[0] });
  await sendCommand(server.url, { type: 'rename', id: ids[3], text: 'להתקשר לאמא ולאבא' });
  const order = await orderCommand(server.url, {
    type: 'create',
    items: [
      {
        sku: 'Supercalifragilistic-espresso-machine-with-an-unbreakable-name',
        quantity: 2,
        priceCents: 129_900,
      },
      { sku: 'מכונת קפה', quantity: 1, priceCents: 4_250 },
      { sku: '<img src=x onerror=alert(1)>', quantity: 10_000, priceCents: 10_000_000 },
    ],
  });
  orderId = String(order.body.id);
  // Another goes through fulfilment, so /processes has an instance to show.
  const placed = await orderCommand(server.url, {
    type: 'create',
    items: [{ sku: 'tea', quantity: 3, priceCents: 450 }],
  });
  await orderCommand(server.url, { type: 'submit', id: String(placed.body.id) });
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

const fileName = (path: string) =>
  path.startsWith('/?') || path === '/'
    ? `todos${path.includes('active') ? '-active' : ''}`
    : path.startsWith('/orders/')
      ? 'order'
      : path.slice(1);

describe('every page in Chromium at 1280×800 and 390×844', () => {
  for (const size of SIZES) {
    it(`fits the ${size.name} viewport, with a live connection indicator, a compact header and a usable slider`, async () => {
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
      });
      try {
        const page = await context.newPage();
        const problems = watchPage(page);
        // Every page's feed arrives compressed.
        const feeds = new Map<string, string | undefined>();
        page.on('response', (response) => {
          const url = new URL(response.url());
          if (url.pathname.endsWith('/feed')) {
            feeds.set(url.pathname, response.headers()['content-encoding']);
          }
        });
        for (const path of [...PAGES, `/orders/${orderId}`]) {
          await page.goto(`${server.url}${path}`);
          await waitLive(page);
          // /system draws its charts once the first sample is in.
          if (path === '/system') await page.waitForSelector('#fig-events svg');
          // An order's page draws its machine once its feed has sent it.
          if (path.startsWith('/orders/')) await page.waitForSelector('svg.state-machine');
          await expectFits(page, path);
          // The header stays one compact row.
          const header = await page.locator('header.top').boundingBox();
          expect(header?.height ?? 999, `${path} header`).toBeLessThanOrEqual(56);
          expect(await page.locator('#connection').isVisible(), path).toBe(true);
          if (path === '/time-travel') {
            const slider = await page.locator('#tt-slider').boundingBox();
            expect(slider?.width ?? 0).toBeGreaterThanOrEqual(Math.min(300, size.width - 60));
          }
          if (path === '/') {
            // The Add button is whole and inside the viewport.
            const add = await page.locator('#new-todo button[type=submit]').boundingBox();
            expect((add?.x ?? 999) + (add?.width ?? 0)).toBeLessThanOrEqual(size.width);
          }
          await shoot(page, `${fileName(path)}-${size.name}`, { fullPage: true });
        }
        expect(Object.fromEntries(feeds)).toEqual({
          '/feed': 'br',
          '/events/feed': 'br',
          '/time-travel/feed': 'br',
          '/system/feed': 'br',
          '/analytics/feed': 'br',
          '/orders/feed': 'br',
          '/processes/feed': 'br',
          '/state-machines/feed': 'br',
          [`/state-machines/Order/${orderId}/feed`]: 'br',
        });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
