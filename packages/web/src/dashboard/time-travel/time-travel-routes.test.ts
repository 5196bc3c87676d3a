import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

// The shopping-cart fixture registers a time-travel view: the carts as they were.
const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  const a = await (await t.command({ type: 'open', owner: 'alpha' })).json();
  await t.command({ type: 'open', owner: 'beta <i>' });
  await t.command({ type: 'add', id: a.id, item: 'tea' });
  await t.command({ type: 'add', id: a.id, item: 'milk' });
  return { ...t, a: a.id as string };
};

const pastCarts = (html: string) =>
  [
    ...html.matchAll(
      /<li id="tt-cart-[^"]+"[^>]*><span class="owner">(.*?)<\/span> <span class="items">(\d+)<\/span>/g,
    ),
  ].map((m) => `${m[1]}:${m[2]}`);

describe('time travel', () => {
  it("shows every registered view exactly as it was after the chosen event, in the module's own drawing", async () => {
    const t = await setup();
    const at = async (n: number) => (await t.app.request(`/time-travel?at=${n}`)).text();
    const first = await at(1);
    expect(first).toContain('<title>Time travel · ironstar</title>');
    expect(first).toContain('<h2>Carts as of #1</h2>');
    expect(pastCarts(first)).toEqual(['alpha:0']);
    expect(pastCarts(await at(2))).toEqual(['alpha:0', 'beta &lt;i&gt;:0']);
    expect(pastCarts(await at(3))).toEqual(['alpha:1', 'beta &lt;i&gt;:0']);
    const now = await (await t.app.request('/time-travel')).text();
    expect(pastCarts(now)).toEqual(['alpha:2', 'beta &lt;i&gt;:0']);
    expect(now).toContain('&quot;live&quot;:true');
    // A cart is selected through the framework's expression, with its plain name only.
    expect(now).toContain(`$aggregateType = &#39;ShoppingCart&#39;; $aggregate = &#39;${t.a}&#39;`);
  });

  it("shows the selected aggregate's history, later events marked", async () => {
    const t = await setup();
    const html = await (
      await t.app.request(`/time-travel?at=3&aggregateType=ShoppingCart&aggregate=${t.a}`)
    ).text();
    const history = html.slice(html.indexOf('id="tt-history"'));
    expect([...history.matchAll(/<span class="etype">(\w+)<\/span>/g)].map((m) => m[1])).toEqual([
      'CartOpened',
      'ItemAdded',
      'ItemAdded',
    ]);
    expect(history).toMatch(/<li class="at">.*?#3/);
    expect(history).toMatch(/<li class="later">.*?#4/);
  });

  it('answers a travel with one view fragment and the resolved signals', async () => {
    const t = await setup();
    const signals = encodeURIComponent(JSON.stringify({ at: 1, live: false }));
    const text = await readSse(await t.app.request(`/time-travel/view?datastar=${signals}`), (s) =>
      s.includes('</section>'),
    );
    expect(text).toContain('event: datastar-merge-signals');
    expect(text).toContain(`"at":1,"head":4,"aggregateType":"ShoppingCart","aggregate":"${t.a}"`);
    expect(pastCarts(text.replaceAll('\ndata: fragments ', ''))).toEqual(['alpha:0']);
    const live = encodeURIComponent(JSON.stringify({ at: 1, live: true }));
    const now = await readSse(await t.app.request(`/time-travel/view?datastar=${live}`), (s) =>
      s.includes('</section>'),
    );
    expect(now).toContain('"at":4');
  });

  it('lifts old events through the registered upcasters before folding them', async () => {
    const t = await setup();
    // An ItemAdded written at version 1 (no quantity) reads as one item.
    await t.store.append({
      aggregateType: 'ShoppingCart',
      aggregateId: t.a,
      expectedVersion: 3,
      events: [{ id: 'old', type: 'ItemAdded', version: 1, data: { id: t.a, item: 'jam' } }],
    });
    const html = await (await t.app.request('/time-travel?at=5')).text();
    expect(pastCarts(html)).toEqual(['alpha:3', 'beta &lt;i&gt;:0']);
  });

  it('refuses a bad sequence and pushes the moving head', async () => {
    const t = await setup();
    expect((await t.app.request('/time-travel?at=abc')).status).toBe(400);
    const res = await t.app.request('/time-travel/feed');
    // Write once the feed has sent the head it opened with: it is then subscribed.
    let wrote = false;
    const text = await readSse(res, (s) => {
      if (!wrote && s.includes('"head":4')) {
        wrote = true;
        void t.command({ type: 'open', owner: 'gamma' });
      }
      return s.includes('"head":5');
    });
    expect(text).toContain('event: datastar-merge-signals\ndata: signals {"head":4}');
  });
});
