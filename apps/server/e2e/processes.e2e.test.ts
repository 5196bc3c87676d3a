import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type StoredEvent, storeUnavailable } from '@ironstar/application';
import { cartCheckoutProcess } from '@ironstar/application/testing';
import { createTestApp, type TestApp } from '@ironstar/web/testing';
import { errAsync } from 'neverthrow';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config';
import { listen } from '../src/http-listener';
import { launchChromium, watchPage } from './browser';

// The framework's /processes page in a real Chromium, over a real socket: the runtime in
// process with the cart fixture and its checkout manager, whose gifts cannot be stored while
// `down` (a full disk for ItemAdded only), so they are parked; the page's Retry sends them.
let down = true;
let t: TestApp;
let browser: Browser;
let url: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  t = await createTestApp({
    processes: [cartCheckoutProcess()],
    processSettings: { retryMax: 2 },
    wrapStore: (store) => ({
      ...store,
      append: (request) =>
        down && request.events.some((event) => event.type === 'ItemAdded')
          ? errAsync(storeUnavailable('disk full'))
          : store.append(request),
    }),
  });
  const server = await listen(t.app.fetch, loadConfig({ PORT: '0' }));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = () =>
    new Promise((resolve) => {
      (server as Server).closeAllConnections();
      server.close(() => resolve());
    });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
  await t?.close();
});

const gifts = (cartId: string) =>
  t.events.filter((e: StoredEvent) => e.aggregateId === cartId && e.eventType === 'ItemAdded');

describe('/processes in Chromium', () => {
  it('shows a parked command with its reason, and sends it when Retry is clicked', async () => {
    const opened = await t.command({ type: 'open', owner: '<img src=x onerror=alert(1)>' });
    const { id } = (await opened.json()) as { id: string };
    const page = await browser.newPage();
    const problems = watchPage(page);
    await page.goto(`${url}/processes`);
    const parked = page.locator('tr.parked');
    await parked.waitFor();
    expect(await parked.locator('td').nth(4).textContent()).toBe('disk full');
    expect(await page.locator('[data-instance]').count()).toBe(1);
    expect(gifts(id)).toEqual([]);

    down = false;
    await parked.getByRole('button', { name: 'Retry' }).click();
    // The live feed drops the row once the gift is stored.
    await parked.waitFor({ state: 'detached' });
    await vi.waitFor(() => expect(gifts(id)).toHaveLength(1));
    expect(await page.locator('.manager .badge').first().textContent()).toBe('active here');
    expect(problems).toEqual([]);
    await page.close();
  });
});
