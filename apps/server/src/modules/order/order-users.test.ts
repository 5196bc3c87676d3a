import { asUser, createTestApp, type SignedInUser, STUB_AUTH } from '@ironstar/web/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { orderModule } from './order-module';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const tea = { sku: 'tea', quantity: 2, priceCents: 1250 };
const NOT_FOUND = { error: { code: 'not_found', message: 'no such order' } };

const setup = async () => {
  // Signed in for real (sessions, the identity middleware), through the stub provider.
  const t = await createTestApp({ modules: [orderModule()], auth: STUB_AUTH });
  close = t.close;
  const alice = await asUser(t, 'alice');
  const bob = await asUser(t, 'bob');
  const place = async (as: SignedInUser) => {
    const res = await as.command('order', { type: 'create', items: [tea] });
    expect(res.status).toBe(202);
    return (await res.json()) as { id: string; sequence: number };
  };
  return { ...t, alice, bob, place };
};

describe('orders per user', () => {
  it('each user lists and reads only the orders they placed', async () => {
    const t = await setup();
    const a = await t.place(t.alice);
    const b = await t.place(t.bob);
    await t.place(t.alice);
    const list = async (as: SignedInUser) =>
      (await (await as.request('/api/orders')).json()) as {
        orders: Array<{ id: string }>;
        total: number;
      };
    expect((await list(t.alice)).total).toBe(2);
    expect((await list(t.alice)).orders.map((o) => o.id)).not.toContain(b.id);
    expect(await list(t.bob)).toMatchObject({ orders: [{ id: b.id }], total: 1 });

    expect((await t.alice.request(`/api/orders/${a.id}`)).status).toBe(200);
    const other = await t.bob.request(`/api/orders/${a.id}`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual(NOT_FOUND);
    expect((await t.bob.request(`/orders/${a.id}`)).status).toBe(404);
    const page = await (await t.bob.request('/orders')).text();
    expect(page).toContain(b.id);
    expect(page).not.toContain(a.id);
  });

  it("answers every command on another user's order with 404, appending nothing", async () => {
    const t = await setup();
    const { id } = await t.place(t.alice);
    const before = t.events.length;
    for (const body of [
      { type: 'add-item', id, sku: 'cup', quantity: 1, priceCents: 900 },
      { type: 'remove-item', id, sku: 'tea' },
      { type: 'submit', id },
      { type: 'cancel', id, reason: 'not mine' },
    ]) {
      const res = await t.bob.command('order', body);
      expect(res.status, body.type).toBe(404);
      expect(await res.json()).toEqual(NOT_FOUND);
    }
    expect(t.events.length).toBe(before);
    expect((await t.alice.command('order', { type: 'submit', id })).status).toBe(202);
    expect(t.events.at(-1)?.metadata?.actor).toBe(t.alice.user.id);
  });

  it("a user's order feed gets only their own orders' changes", async () => {
    const t = await setup();
    const follow = async (as: SignedInUser) => {
      const res = await as.request('/orders/feed');
      const reader = res.body?.getReader();
      if (!reader) throw new Error('no body');
      const decoder = new TextDecoder();
      const feed = { text: '', cancel: () => reader.cancel().catch(() => {}) };
      void (async () => {
        for (;;) {
          const { done, value } = await reader
            .read()
            .catch(() => ({ done: true, value: undefined }));
          if (done || !value) return;
          feed.text += decoder.decode(value, { stream: true });
        }
      })();
      return feed;
    };
    const aliceFeed = await follow(t.alice);
    const bobFeed = await follow(t.bob);
    await vi.waitFor(() => {
      // The first window sent (its id: the position, past the sign-ins' events).
      expect(aliceFeed.text).toMatch(/^id: \d+$/m);
      expect(bobFeed.text).toMatch(/^id: \d+$/m);
    });
    const hers = await t.place(t.alice);
    await vi.waitFor(() => expect(aliceFeed.text).toContain(`id: ${hers.sequence}\n`));
    // Bob's own order comes after hers on every path: once his frame is there, hers would be.
    const his = await t.place(t.bob);
    await vi.waitFor(() => expect(bobFeed.text).toContain(`id: ${his.sequence}\n`));
    expect(bobFeed.text).not.toContain(hers.id);
    expect(bobFeed.text).not.toContain(`id: ${hers.sequence}\n`);
    expect(aliceFeed.text).not.toContain(his.id);
    await aliceFeed.cancel();
    await bobFeed.cancel();
  });
});
