import { cartAggregate, cartStateMachine } from '@ironstar/application/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { defineModule } from '../../module';
import { cartErrors, parseCartCommand } from '../../testing/cart-module';
import { createTestApp, readSse } from '../../testing/test-app';

// The fixture cart with its machine declared: the page knows no application.
const cartWithMachine = defineModule({
  aggregate: { ...cartAggregate, stateMachine: cartStateMachine },
  http: { name: 'cart', parse: parseCartCommand, errors: cartErrors },
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const start = async () => {
  const t = await createTestApp({ modules: [cartWithMachine] });
  close = t.close;
  const open = async () =>
    ((await (await t.command({ type: 'open', owner: 'ann <b>' })).json()) as { id: string }).id;
  return { ...t, open };
};

describe('/state-machines', () => {
  it('draws every registered machine, and is in the navigation', async () => {
    const t = await start();
    const page = await (await t.app.request('/state-machines')).text();
    expect(page).toContain('<section class="panel machine-card" id="machine-ShoppingCart">');
    expect(page).toContain('<svg class="state-machine"');
    for (const state of ['open', 'checkedOut']) expect(page).toContain(`data-state="${state}"`);
    expect(page).toContain('>AddItem, RemoveItem</text>');
    expect(page).toContain('href="/state-machines"');
    expect(page).not.toContain('sm-node current');
  });

  it("highlights one aggregate's current state and the path its events took", async () => {
    const t = await start();
    const id = await t.open();
    await t.command({ type: 'add', id, item: 'tea' });
    await t.command({ type: 'checkout', id });
    const page = await (await t.app.request(`/state-machines/ShoppingCart/${id}`)).text();
    expect(page).toContain('data-current="checkedOut"');
    expect(page).toMatch(/class="sm-node terminal visited current" data-state="checkedOut"/);
    for (const [from, to] of [
      ['none', 'open'],
      ['open', 'open'],
      ['open', 'checkedOut'],
    ]) {
      expect(page).toContain(`class="sm-edge taken" data-from="${from}" data-to="${to}"`);
    }
    expect(page).toContain('after 3 events');
  });

  it('answers 404 for an unknown type, a bad id or an aggregate with no events', async () => {
    const t = await start();
    for (const path of [
      '/state-machines/Nothing/abc',
      '/state-machines/ShoppingCart/%3Cscript%3E',
      '/state-machines/ShoppingCart/00000000-0000-4000-8000-000000000000',
      '/state-machines/Nothing/abc/feed',
    ]) {
      const res = await t.app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('redraws live on each event of that aggregate', async () => {
    const t = await start();
    const id = await t.open();
    const feed = await t.app.request(`/state-machines/ShoppingCart/${id}/feed`);
    const first = await readSse(feed, (text) => text.includes('data-current="open"'));
    expect(first).toContain(`fragments <div id="machine-${id}">`);
    const again = await t.app.request(`/state-machines/ShoppingCart/${id}/feed`);
    const live = readSse(again, (text) => text.includes('data-current="checkedOut"'));
    await t.command({ type: 'add', id, item: 'tea' });
    await t.command({ type: 'checkout', id });
    expect(await live).toContain('class="sm-edge taken" data-from="open" data-to="checkedOut"');
  });
});
