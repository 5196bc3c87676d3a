import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderCommand, placeOrder } from '../src/testing/orders-client';
import { type ServerProcess, sendCommand } from '../src/testing/spawn-server';
import { launchChromium, type screenshots, startServer, usePageWatch, waitLive } from './browser';

const DESKTOP = { width: 1280, height: 800 };

let browser: Browser;
let server: ServerProcess;
let stop: () => Promise<void>;
let shoot: ReturnType<typeof screenshots>;
const watch = usePageWatch();

beforeAll(async () => {
  ({ server, shoot, stop } = await startServer('orders.db', {
    PAYMENT_LATENCY_MS: '400',
    PAYMENT_LIMIT_CENTS: '100000',
    SHIPPING_LATENCY_MS: '300',
  }));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

const open = async (path: string, viewport = DESKTOP) => {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  watch(page, path);
  await page.goto(`${server.url}${path}`);
  return page;
};

/** The feed is open once the server counts it (so a change made now reaches the page). */
const feedOpen = async (feed: string) =>
  expect
    .poll(async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(
        new RegExp(`ironstar_sse_connections\\{feed="${feed}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
      );
    })
    .toBeGreaterThan(0);

const row = (page: Page, id: string) => page.locator(`#order-${id}`);

describe('orders, processes and state machines in Chromium', () => {
  it('/orders: create with an item, add and remove items, submit; it moves to fulfilled live', async () => {
    const page = await open('/orders');
    await feedOpen('orders');
    const hostile = '<img src=x onerror=alert(1)>';
    await page.fill('#item-sku', hostile);
    await page.fill('#item-quantity', '2');
    await page.fill('#item-price', '1250');
    await page.click('#new-order button[type=submit]');
    const first = page.locator('#order-items > li.order').first();
    await expect.poll(() => first.getAttribute('data-status')).toBe('draft');
    const id = String(await first.getAttribute('id')).slice('order-'.length);
    // User text is shown as text, never as markup.
    expect(await first.locator('.sku').first().textContent()).toBe(hostile);
    expect(await page.locator('img[src=x]').count()).toBe(0);

    await page.fill('#item-sku', 'cup');
    await page.fill('#item-quantity', '1');
    await page.fill('#item-price', '900');
    await row(page, id).getByRole('button', { name: 'Add the item above' }).click();
    await expect.poll(() => row(page, id).locator('.lines > li').count()).toBe(2);
    await row(page, id)
      .getByRole('button', { name: `Remove ${hostile}` })
      .click();
    await expect.poll(() => row(page, id).locator('.sku').allTextContents()).toEqual(['cup']);
    expect(await row(page, id).locator('.total').textContent()).toBe('$9.00');

    // Another order, over the payment limit, placed over HTTP: declined, seen live.
    const big = await placeOrder(
      server.url,
      { sku: 'piano', quantity: 1, priceCents: 250_000 },
      'e2e-big',
    );
    await row(page, id).getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(() => row(page, id).getAttribute('data-status'), { timeout: 20_000 })
      .toBe('fulfilled');
    expect(await row(page, id).locator('.tracking').textContent()).toMatch(/^tracking TRK-/);
    expect(await row(page, id).locator('.path').textContent()).toBe(
      'draft → submitted → validated → fulfilled',
    );
    await expect
      .poll(() => row(page, big).getAttribute('data-status'), { timeout: 20_000 })
      .toBe('cancelled');
    expect(await row(page, big).locator('.reason').textContent()).toBe(
      'cancelled: payment declined',
    );
    // A refused command shows a notice and changes nothing.
    const refused = await orderCommand(server.url, { type: 'submit', id });
    expect(refused.status).toBe(409);
    await shoot(page, 'orders');

    // The order's own view: its machine, the path its events took, the current state.
    const view = await open(`/orders/${id}`);
    const svg = view.locator(`#machine-${id} svg.state-machine`);
    await expect.poll(() => svg.getAttribute('data-current')).toBe('fulfilled');
    for (const [from, to] of [
      ['draft', 'draft'],
      ['draft', 'submitted'],
      ['submitted', 'validated'],
      ['validated', 'fulfilled'],
    ]) {
      expect(
        await svg.locator(`g.sm-edge.taken[data-from="${from}"][data-to="${to}"]`).count(),
      ).toBe(1);
    }
    expect(await svg.locator('g.sm-edge.taken[data-to="cancelled"]').count()).toBe(0);
    await shoot(view, 'order-state-machine');
  });

  it('/orders: a create whose answer is lost is resent with the same key and applied once; a refusal shows in its row', async () => {
    const page = await open('/orders');
    await waitLive(page);
    const total = async () =>
      ((await (await fetch(`${server.url}/api/orders`)).json()) as { total: number }).total;
    const before = await total();
    // The first attempt reaches the server but its answer is lost; the second waits until the
    // page has been seen queued and blocked; the rest go through.
    const keys: string[] = [];
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/commands/order', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      if (keys.length === 2) await released;
      await route.continue();
    });
    await page.fill('#item-sku', 'kettle');
    await page.fill('#item-quantity', '1');
    await page.fill('#item-price', '3000');
    await page.click('#new-order button[type=submit]');
    await page.locator('#queued').waitFor();
    expect(await page.locator('#new-order button[type=submit]').isDisabled()).toBe(true);
    // What was typed stays until the server has taken it.
    expect(await page.inputValue('#item-sku')).toBe('kettle');
    release();
    await expect.poll(() => page.inputValue('#item-sku')).toBe('');
    expect(keys.length).toBe(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await total()).toBe(before + 1);
    const first = page.locator('#order-items > li.order').first();
    await expect.poll(() => first.locator('.sku').allTextContents()).toEqual(['kettle']);

    // A new intent, a new key; the server's refusal is shown in that order's row, and the
    // item typed is kept.
    await page.fill('#item-sku', 'cup');
    await page.fill('#item-quantity', '0');
    await first.getByRole('button', { name: 'Add the item above' }).click();
    await expect.poll(() => first.locator('.row-problem').textContent()).toMatch(/quantity/);
    expect(await page.inputValue('#item-sku')).toBe('cup');
    expect(keys.length).toBe(3);
    expect(keys[2]).not.toBe(keys[0]);
    expect(await first.locator('.lines > li').count()).toBe(1);
    await page.close();
  });

  it('an order view follows its order live as it moves', async () => {
    const created = await orderCommand(server.url, {
      type: 'create',
      items: [{ sku: 'tea', quantity: 1, priceCents: 100 }],
    });
    const id = String(created.body.id);
    const view = await open(`/orders/${id}`);
    const svg = view.locator(`#machine-${id} svg.state-machine`);
    await expect.poll(() => svg.getAttribute('data-current')).toBe('draft');
    await feedOpen('state-machine');
    await orderCommand(server.url, { type: 'cancel', id, reason: 'changed <my> mind' });
    await expect.poll(() => svg.getAttribute('data-current')).toBe('cancelled');
    expect(
      await svg.locator('g.sm-edge.taken[data-from="draft"][data-to="cancelled"]').count(),
    ).toBe(1);
  });

  it("a todo's own view: its link from the list shows its state and path, live", async () => {
    const todo = await sendCommand(server.url, { type: 'create', text: 'water <the> plants' });
    const id = String(todo.body.id);
    const list = await open('/');
    await list.locator(`#todo-${id} a.machine-link`).click();
    const svg = list.locator(`#machine-${id} svg.state-machine`);
    await expect.poll(() => svg.getAttribute('data-current')).toBe('active');
    await feedOpen('state-machine');
    await sendCommand(server.url, { type: 'complete', id });
    await expect.poll(() => svg.getAttribute('data-current')).toBe('completed');
    expect(
      await svg.locator('g.sm-edge.taken[data-from="active"][data-to="completed"]').count(),
    ).toBe(1);
  });

  it('/state-machines draws every aggregate, terminal states marked', async () => {
    const page = await open('/state-machines');
    for (const type of ['Todo', 'QuerySession', 'Order', 'Payment', 'Shipment']) {
      expect(await page.locator(`#machine-${type} svg.state-machine`).count(), type).toBe(1);
    }
    expect(
      await page
        .locator('#machine-Order g.sm-node.terminal')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-state'))),
    ).toEqual(['fulfilled', 'cancelled']);
    await shoot(page, 'state-machines');
  });

  it('/processes lists the fulfilment manager and its instances', async () => {
    const processes = await open('/processes');
    await expect
      .poll(async () => (await processes.content()).includes('order-fulfilment'))
      .toBe(true);
    // Its instances, with the state each reached: the fulfilled order's, and the cancelled
    // draft's, which ended at once.
    const text = String(await processes.locator('main').textContent());
    expect(text).toContain('"outcome": "fulfilled"');
    expect(text).toContain('"outcome": "not submitted"');
    await shoot(processes, 'processes');
  });
});
