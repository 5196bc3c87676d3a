import {
  cartAggregate,
  cartsProjection,
  createInMemoryEventBus,
  createInMemoryEventStore,
  createInMemoryProjectionSnapshots,
} from '@ironstar/application/testing';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEnv } from './app-env';
import { HttpError, problem } from './http-errors';
import { defineModule } from './module';
import { createRuntime } from './runtime';
import { STUB_AUTH, signInAs } from './testing/auth-stub';
import { cartModule } from './testing/cart-module';
import { createTestApp } from './testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  return t;
};

describe('the runtime builds the app from its modules', () => {
  it("puts the modules' pages first in the navigation, then the dashboard, and their styles in every page", async () => {
    const t = await setup();
    const html = await (await t.app.request('/carts')).text();
    const nav = [...html.matchAll(/<nav aria-label="Pages"[^>]*>.*?<\/nav>/gs)][0]?.[0] ?? '';
    expect([...nav.matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1])).toEqual([
      'Carts',
      'Event log',
      'Time travel',
      'System',
      'State machines',
    ]);
    expect(nav).toContain('<a href="/carts" aria-current="page">');
    const events = await (await t.app.request('/events')).text();
    expect(events).toContain('ul.carts { list-style: square; }');
  });

  it("shows the dashboard's links to admins only, each page drawn for its request's user", async () => {
    const t = await createTestApp({ auth: STUB_AUTH });
    close = t.close;
    const navOf = async (cookie: string) => {
      const html = await (await t.app.request('/carts', { headers: { cookie } })).text();
      const nav = [...html.matchAll(/<nav aria-label="Pages"[^>]*>.*?<\/nav>/gs)][0]?.[0] ?? '';
      return [...nav.matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1]);
    };
    // Interleaved: what one request's page shows never follows another's user.
    const alice = await signInAs(t, 'alice');
    const boss = await signInAs(t, 'boss');
    const [asAlice, asBoss] = await Promise.all([navOf(alice), navOf(boss)]);
    expect(asAlice).toEqual(['Carts', 'Account']);
    expect(asBoss).toEqual([
      'Carts',
      'Account',
      'Event log',
      'Time travel',
      'System',
      'State machines',
    ]);
  });

  it("offers the registered aggregates' types and event types in the event log's filters", async () => {
    const t = await setup();
    const html = await (await t.app.request('/events')).text();
    const list = (id: string) =>
      [
        ...(html.split(`<datalist id="${id}">`)[1]?.split('</datalist>')[0] ?? '').matchAll(
          /value="([^"]+)"/g,
        ),
      ].map((m) => m[1]);
    expect(list('aggregate-types')).toEqual(['ShoppingCart']);
    expect(list('event-types')).toEqual([
      'CartOpened',
      'ItemAdded',
      'ItemRemoved',
      'CartCheckedOut',
    ]);
  });

  it('waits on /readyz for every registered read model and labels /metrics with each', async () => {
    const t = await setup();
    const id = '00000000-0000-4000-8000-000000000001';
    const appended = await t.store.append({
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      expectedVersion: 0,
      events: [{ id: 'e1', type: 'CartOpened', data: { id, owner: 'x', openedAt: 'T' } }],
    });
    const behind = await t.app.request('/readyz');
    expect(behind.status).toBe(503);
    expect(((await behind.json()) as { error: { message: string } }).error.message).toBe(
      'catching up to 1: carts at 0',
    );
    await t.bus.publish(appended._unsafeUnwrap().events);
    await expect.poll(async () => (await t.app.request('/readyz')).status).toBe(200);
    expect(await (await t.app.request('/readyz')).json()).toEqual({
      status: 'ready',
      position: 1,
      head: 1,
    });
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toContain('ironstar_projection_position{projection="carts"} 1');
    expect(metrics).toContain('ironstar_projection_lag_events{projection="carts"} 0');
    expect(metrics).toContain('ironstar_event_store_head 1');
  });

  it("reads every event through the modules' upcasters: API, read models and commands agree", async () => {
    const t = await setup();
    const { id } = (await (await t.command({ type: 'open', owner: 'ada' })).json()) as {
      id: string;
    };
    const old = await t.store.append({
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      expectedVersion: 1,
      events: [{ id: 'v1', type: 'ItemAdded', version: 1, data: { id, item: 'tea' } }],
    });
    await t.bus.publish(old._unsafeUnwrap().events);
    const { events } = (await (await t.app.request('/api/events?after=1')).json()) as {
      events: Array<{ eventVersion: number; payload: unknown }>;
    };
    expect(events[0]).toMatchObject({ eventVersion: 2, payload: { item: 'tea', quantity: 1 } });
    await expect
      .poll(async () => (await (await t.app.request(`/api/carts/${id}`)).json()) as object)
      .toMatchObject({ items: { tea: 1 } });
    // The aggregate itself folds the lifted event: the item is there to remove.
    expect((await t.command({ type: 'remove', id, item: 'tea' })).status).toBe(202);
    expect(t.events.map((e) => e.eventVersion)).toEqual([1, 1, 1]);
  });

  it('refuses two modules for one aggregate', async () => {
    const ports = { store: createInMemoryEventStore(), bus: createInMemoryEventBus() };
    await expect(createRuntime(ports, {}, [cartModule, cartModule])).rejects.toThrow(
      'two modules register the aggregate ShoppingCart',
    );
  });

  it('gives each module its runners, its commands and the shell; starts, reports and stops it', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const projectionSnapshots = createInMemoryProjectionSnapshots();
    const calls: string[] = [];
    const probe = defineModule({
      aggregate: cartAggregate,
      projections: { carts: cartsProjection },
      nav: [{ path: '/probe', label: 'Probe', section: 'dashboard' }],
      setup: ({ projections, commands, shell }) => ({
        routes: new Hono<AppEnv>()
          .post('/probe', async (c) => {
            const sent = await commands.send({
              command: ({ aggregateId, now }) => ({
                type: 'OpenCart',
                data: { id: aggregateId, owner: 'probe', now },
              }),
            });
            return c.json({ id: sent._unsafeUnwrap().aggregateId });
          })
          .get('/probe', (c) =>
            c.json({ carts: projections.carts.state().size, nav: shell.nav.map((n) => n.path) }),
          )
          .get('/probe/teapot', () => {
            throw new HttpError(problem('busy', 'brewing', { 'Retry-After': '7' }));
          })
          .get('/probe/bug', () => {
            throw new Error('a bug');
          }),
        readiness: [{ name: 'probe-engine', position: () => 1_000 }],
        start: () => void calls.push('start'),
        stop: () => void calls.push('stop'),
      }),
    });
    const errors: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn() {},
      error: (_: object, m: string) => errors.push(m),
    };
    const runtime = await createRuntime(
      { store, bus, projectionSnapshots, snapshots: store.snapshots, log },
      { processMetrics: false, projectionSnapshotEvery: 1_000, storePollMs: 60_000 },
      [probe],
    );
    await runtime.start();
    expect(calls).toEqual(['start']);
    const { id } = (await (await runtime.app.request('/probe', { method: 'POST' })).json()) as {
      id: string;
    };
    await expect
      .poll(async () => (await (await runtime.app.request('/probe')).json()) as object)
      .toEqual({
        carts: 1,
        nav: ['/events', '/time-travel', '/system', '/state-machines', '/probe'],
      });
    expect(runtime.readModels().map((m) => m.name)).toEqual(['carts', 'probe-engine']);
    // A typed HTTP error thrown by a route is its answer; anything else is a logged 500.
    const teapot = await runtime.app.request('/probe/teapot');
    expect(teapot.status).toBe(429);
    expect(teapot.headers.get('retry-after')).toBe('7');
    expect(await teapot.json()).toEqual({ error: { code: 'busy', message: 'brewing' } });
    const bug = await runtime.app.request('/probe/bug');
    expect(bug.status).toBe(500);
    expect(await bug.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(errors).toEqual(['request failed']);
    // No http part: no command route for it.
    expect((await runtime.app.request('/api/commands/cart', { method: 'POST' })).status).toBe(404);
    await runtime.stop();
    expect(calls).toEqual(['start', 'stop']);
    // Stopping saved the read model, which a later runtime starts from.
    expect(projectionSnapshots.saved.get('carts')?.position).toBe(1);
    expect(store.events[0]?.aggregateId).toBe(id);
  });

  it('stops the modules it installed when a later one fails to install', async () => {
    const calls: string[] = [];
    const first = defineModule({
      aggregate: cartAggregate,
      setup: () => ({ stop: () => void calls.push('first stopped') }),
    });
    const broken = defineModule({
      aggregate: { ...cartAggregate, type: 'Broken' },
      setup: async () => {
        throw new Error('no engine');
      },
    });
    const ports = { store: createInMemoryEventStore(), bus: createInMemoryEventBus() };
    await expect(createRuntime(ports, {}, [first, broken])).rejects.toThrow('no engine');
    expect(calls).toEqual(['first stopped']);
  });
});
