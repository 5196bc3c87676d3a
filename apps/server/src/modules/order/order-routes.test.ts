import { createTestApp, readSse } from '@ironstar/web/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { orderModule } from './order-module';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const start = async () => {
  const t = await createTestApp({ modules: [orderModule()] });
  close = t.close;
  const send = async (body: unknown) => {
    const res = await t.command(body);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const get = async (path: string) => {
    const res = await t.app.request(path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { ...t, send, get };
};
const tea = { sku: 'tea', quantity: 2, priceCents: 1250 };
const missing = '00000000-0000-4000-8000-000000000000';

describe('order commands and reads over HTTP', () => {
  it('creates with items (202 {id, sequence}) and reads the order back', async () => {
    const t = await start();
    const created = await t.send({ type: 'create', items: [tea] });
    expect(created.status).toBe(202);
    expect(Object.keys(created.body).sort()).toEqual(['id', 'sequence']);
    const id = created.body.id as string;
    const read = await t.get(`/api/orders/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      order: {
        id,
        status: 'draft',
        items: [tea],
        totalCents: 2500,
        paymentId: null,
        tracking: null,
        reason: null,
        version: 1,
        createdAt: expect.any(String),
      },
    });
  });

  it('adds (merging a sku), removes whole lines, submits; then refuses changes with 409', async () => {
    const t = await start();
    const id = (await t.send({ type: 'create', items: [tea] })).body.id as string;
    expect((await t.send({ type: 'add-item', id, ...tea, quantity: 1 })).status).toBe(202);
    expect(
      (await t.send({ type: 'add-item', id, sku: 'cup', quantity: 3, priceCents: 900 })).status,
    ).toBe(202);
    expect((await t.get(`/api/orders/${id}`)).body.order).toMatchObject({
      items: [
        { sku: 'tea', quantity: 3, priceCents: 1250 },
        { sku: 'cup', quantity: 3, priceCents: 900 },
      ],
      totalCents: 6450,
    });
    expect((await t.send({ type: 'remove-item', id, sku: 'tea' })).status).toBe(202);
    const absent = await t.send({ type: 'remove-item', id, sku: 'tea' });
    expect(absent).toMatchObject({ status: 409, body: { error: { code: 'invalid_transition' } } });
    expect((await t.send({ type: 'submit', id })).status).toBe(202);
    for (const body of [
      { type: 'add-item', id, ...tea },
      { type: 'remove-item', id, sku: 'cup' },
      { type: 'submit', id },
    ]) {
      const refused = await t.send(body);
      expect(refused.status, body.type).toBe(409);
      expect(refused.body).toEqual({
        error: { code: 'invalid_transition', message: expect.stringContaining('submitted') },
      });
    }
    expect((await t.get(`/api/orders/${id}`)).body.order).toMatchObject({
      status: 'submitted',
      totalCents: 2700,
      version: 5,
    });
  });

  it('refuses to submit an empty order, and cancels with the reason word for word', async () => {
    const t = await start();
    const id = (await t.send({ type: 'create', items: [] })).body.id as string;
    expect(await t.send({ type: 'submit', id })).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_transition' } },
    });
    const reason = '  Changed my mind <b>really</b> ';
    expect((await t.send({ type: 'cancel', id, reason })).status).toBe(202);
    expect((await t.get(`/api/orders/${id}`)).body.order).toMatchObject({
      status: 'cancelled',
      reason,
    });
    expect((await t.send({ type: 'cancel', id, reason: 'again' })).status).toBe(409);
  });

  it('answers 404 for an unknown order, on commands and reads', async () => {
    const t = await start();
    for (const body of [
      { type: 'submit', id: missing },
      { type: 'cancel', id: missing, reason: 'x' },
      { type: 'add-item', id: missing, ...tea },
      { type: 'remove-item', id: missing, sku: 'tea' },
    ]) {
      expect(await t.send(body)).toMatchObject({
        status: 404,
        body: { error: { code: 'not_found' } },
      });
    }
    expect((await t.get(`/api/orders/${missing}`)).status).toBe(404);
    expect((await t.get('/api/orders/not-a-uuid')).status).toBe(404);
  });

  it('refuses bad input with 400 and stores nothing', async () => {
    const t = await start();
    const id = (await t.send({ type: 'create', items: [tea] })).body.id as string;
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ sku: `s${i}`, quantity: 1, priceCents: 1 }));
    const bad = [
      { type: 'ship', id },
      { type: 'create', items: 'tea' },
      { type: 'create', items: lines(101) },
      { type: 'create', items: [tea, tea] },
      { type: 'create', items: [{ ...tea, quantity: 0 }] },
      { type: 'create', items: [{ ...tea, quantity: 10_001 }] },
      { type: 'create', items: [{ ...tea, quantity: 1.5 }] },
      { type: 'create', items: [{ ...tea, priceCents: -1 }] },
      { type: 'create', items: [{ ...tea, priceCents: 10_000_001 }] },
      { type: 'create', items: [{ ...tea, priceCents: '12' }] },
      { type: 'create', items: [{ ...tea, sku: '' }] },
      { type: 'create', items: [{ ...tea, sku: 'x'.repeat(65) }] },
      { type: 'create', items: [{ ...tea, sku: 'a\u0000b' }] },
      { type: 'create', items: [null] },
      { type: 'add-item', id: 'nope', ...tea },
      { type: 'add-item', id, sku: 'tea', quantity: 1 },
      { type: 'remove-item', id },
      { type: 'cancel', id, reason: '   ' },
      { type: 'cancel', id, reason: 'r'.repeat(201) },
      { type: 'submit' },
    ];
    for (const body of bad) {
      const res = await t.send(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body).toEqual({ error: { code: 'validation', message: expect.any(String) } });
    }
    expect(t.events.length).toBe(1);
    expect((await t.send({ type: 'create', items: lines(100) })).status).toBe(202);
  });

  it('lists the newest orders first, at most 100', async () => {
    const t = await start();
    const ids: string[] = [];
    for (let i = 0; i < 103; i++) {
      ids.push((await t.send({ type: 'create', items: [tea] })).body.id as string);
    }
    const list = await t.get('/api/orders');
    const orders = list.body.orders as Array<{ id: string }>;
    expect(orders).toHaveLength(100);
    expect(orders[0]?.id).toBe(ids[102]);
    expect(orders[99]?.id).toBe(ids[3]);
    expect(list.body.total).toBe(103);
  });

  it('renders user text escaped on /orders and draws the order machine on /orders/:id', async () => {
    const t = await start();
    const sku = '<img src=x onerror=alert(1)>';
    const id = (await t.send({ type: 'create', items: [{ ...tea, sku }] })).body.id as string;
    await t.send({ type: 'cancel', id, reason: '<script>alert(2)</script>' });
    const page = await (await t.app.request('/orders')).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert(2)');
    const view = await t.app.request(`/orders/${id}`);
    expect(view.status).toBe(200);
    expect(await view.text()).toContain(`/state-machines/Order/${id}/feed`);
    const machine = await (await t.app.request(`/state-machines/Order/${id}`)).text();
    expect(machine).toContain('data-current="cancelled"');
    expect(machine).toMatch(/class="sm-edge taken" data-from="draft" data-to="cancelled"/);
    expect(machine).toMatch(/class="sm-edge" data-from="draft" data-to="submitted"/);
    expect((await t.app.request('/orders/not-an-id')).status).toBe(404);
  });

  it('the /orders feed sends the list once, then a new order on top and changed rows alone', async () => {
    const t = await start();
    const first = (await t.send({ type: 'create', items: [tea] })).body.id as string;
    const feed = await t.app.request('/orders/feed');
    const frames = readSse(feed, (text) => text.includes('data-status="cancelled"'));
    await t.send({ type: 'create', items: [{ ...tea, sku: 'cup' }] });
    await t.send({ type: 'cancel', id: first, reason: 'no' });
    const text = await frames;
    const [list = '', ...changes] = text.split('event: datastar-merge-fragments').slice(1);
    expect(list).toContain('<section id="orders">');
    expect(list).toContain(`id="order-${first}"`);
    // The new order: prepended to the list; the summary after it carries its sequence.
    expect(changes[0]).toContain('selector #order-items');
    expect(changes[0]).toContain('mergeMode prepend');
    expect(changes[1]).toMatch(/^\nid: 2\n/);
    // The cancelled one: only its row, morphed in place.
    expect(changes[2]).not.toContain('selector');
    expect(changes[2]).toContain(`<li id="order-${first}" class="order cancelled"`);
    expect(changes[2]).not.toContain('<section id="orders">');
  });
});
