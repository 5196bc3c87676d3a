import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('read routes', () => {
  it('GET /api/events pages the store in ascending order with every field', async () => {
    const t = await createTestApp();
    close = t.close;
    for (const owner of ['a', 'b', 'c', 'd']) await t.command({ type: 'open', owner });
    const res = await t.app.request('/api/events?after=1&limit=2');
    const { events } = (await res.json()) as { events: Array<Record<string, unknown>> };
    expect(events.map((e) => e.globalSequence)).toEqual([2, 3]);
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(
      [
        'globalSequence',
        'id',
        'aggregateType',
        'aggregateId',
        'aggregateSequence',
        'eventType',
        'eventVersion',
        'payload',
        'metadata',
        'createdAt',
      ].sort(),
    );
    const all = (await (await t.app.request('/api/events')).json()) as { events: unknown[] };
    expect(all.events).toHaveLength(4);
  });

  it.each(['after=-1', 'after=x', 'limit=0', 'limit=1001', 'limit=1.5'])(
    'GET /api/events?%s is a 400',
    async (query) => {
      const t = await createTestApp();
      close = t.close;
      const res = await t.app.request(`/api/events?${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation');
    },
  );

  it('serves the Datastar bundle from node_modules, and health and metrics', async () => {
    const t = await createTestApp();
    close = t.close;
    const js = await t.app.request('/static/datastar-1.0.0-beta.11.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toMatch(/^\/\/ Datastar v1\.0\.0-beta\.11/);
    expect(await (await t.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    await t.command({ type: 'open', owner: 'a' });
    await t.command({ type: 'open', owner: '' });
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toContain('ironstar_events_appended_total{aggregate_type="ShoppingCart"} 1');
    expect(metrics).toContain(
      'ironstar_commands_total{aggregate="cart",type="open",outcome="accepted"} 1',
    );
    expect(metrics).toContain(
      'ironstar_commands_total{aggregate="cart",type="unknown",outcome="invalid"} 1',
    );
    expect(metrics).toContain('ironstar_sse_connections');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const t = await createTestApp();
    close = t.close;
    const res = await t.app.request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
