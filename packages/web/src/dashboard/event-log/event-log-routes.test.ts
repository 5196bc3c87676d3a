import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../../testing/test-app';
import { MAX_LIVE_ROWS } from './event-log-routes';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  return t;
};

const rowIds = (html: string) => [...html.matchAll(/<li id="ev-(\d+)"/g)].map((m) => Number(m[1]));

describe('GET /events', () => {
  it('lists events newest first, escaped, with its own title and current nav item', async () => {
    const t = await setup();
    await t.command({ type: 'open', owner: 'a <script>alert(1)</script>' });
    await t.command({ type: 'open', owner: 'b' });
    const res = await t.app.request('/events');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Event log · ironstar</title>');
    expect(html).toContain('<a href="/events" aria-current="page">');
    expect(rowIds(html)).toEqual([2, 1]);
    expect(html).toContain('a &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    // The feed starts right after what the page shows.
    expect(html).toContain('@get(&#39;/events/feed?since=2&#39;');
  });

  it("shows each event's actor: the user who sent it", async () => {
    const t = await setup();
    await t.command({ type: 'open', owner: 'a' });
    const html = await (await t.app.request('/events')).text();
    expect(html).toContain('<span class="muted actor" title="by local">by local</span>');
    expect(html).toContain('<dd class="mono actor">local</dd>');
  });

  it('filters by aggregate type, aggregate id, event type and correlation id', async () => {
    const t = await setup();
    const created = await (await t.command({ type: 'open', owner: 'a' })).json();
    await t.command({ type: 'open', owner: 'b' }, { 'x-correlation-id': 'corr-b' });
    await t.command({ type: 'add', id: created.id, item: 'tea' });
    const ids = async (query: string) =>
      rowIds(await (await t.app.request(`/events${query}`)).text());
    expect(await ids('?eventType=ItemAdded')).toEqual([3]);
    expect(await ids(`?aggregateId=${created.id}`)).toEqual([3, 1]);
    expect(await ids('?correlationId=corr-b')).toEqual([2]);
    expect(await ids('?aggregateType=QuerySession')).toEqual([]);
    const bad = await t.app.request(`/events?aggregateId=${'x'.repeat(201)}`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('validation');
  });

  it('stays small at 10,000+ events: one page first, older pages on request', async () => {
    const t = await setup();
    for (let i = 1; i <= 10_050; i++) {
      await t.store.append({
        aggregateType: i % 100 === 0 ? 'Rare' : 'Todo',
        aggregateId: `agg-${i}`,
        expectedVersion: 0,
        events: [{ id: `e${i}`, type: 'TodoCreated', data: { id: `agg-${i}`, text: `t${i}` } }],
      });
    }
    const res = await t.app.request('/events');
    const html = await res.text();
    expect(rowIds(html)).toEqual(Array.from({ length: 50 }, (_, i) => 10_050 - i));
    expect(html.length).toBeLessThan(150_000);
    expect(html).toContain('@get(&#39;/events/older?before=10001&#39;');

    const older = await readSse(await t.app.request('/events/older?before=10001'), (s) =>
      s.includes('id="event-older"'),
    );
    expect(older).toContain('data: selector #event-rows\ndata: mergeMode append');
    expect(rowIds(older)).toEqual(Array.from({ length: 50 }, (_, i) => 10_000 - i));
    expect(older).toContain('before=9951&#39;');

    const rare = rowIds(await (await t.app.request('/events?aggregateType=Rare')).text());
    expect(rare).toEqual(
      Array.from({ length: 50 }, (_, i) => 10_000 - i * 100).filter((n) => n > 5000),
    );
  });

  it('pushes new matching events to the top of the list, live, id = global sequence', async () => {
    const t = await setup();
    await t.command({ type: 'open', owner: 'before' });
    const res = await t.app.request('/events/feed?since=1&eventType=ItemAdded');
    const created = await (await t.command({ type: 'open', owner: 'live' })).json();
    setTimeout(() => void t.command({ type: 'add', id: created.id, item: 'tea' }), 20);
    const text = await readSse(res, (s) => s.includes('ItemAdded'));
    expect(text).toContain(
      'event: datastar-merge-fragments\nid: 3\ndata: selector #event-rows\ndata: mergeMode prepend',
    );
    expect(rowIds(text)).toEqual([3]); // the CartOpened at #2 did not match
  });

  it('resets a long-open tail to its newest row instead of growing without bound', async () => {
    const t = await setup();
    const res = await t.app.request('/events/feed?since=0');
    for (let i = 1; i <= MAX_LIVE_ROWS + 1; i++) {
      const appended = await t.store.append({
        aggregateType: 'Todo',
        aggregateId: `agg-${i}`,
        expectedVersion: 0,
        events: [{ id: `e${i}`, type: 'TodoCreated', data: { id: `agg-${i}`, text: `t${i}` } }],
      });
      await t.bus.publish(appended._unsafeUnwrap().events);
    }
    const text = await readSse(res, (s) => s.includes('<section id="event-log">'), 10_000);
    const frames = text.split('\n\n').filter((f) => f.includes('datastar-merge-fragments'));
    expect(frames).toHaveLength(MAX_LIVE_ROWS + 1);
    const reset = frames.at(-1) ?? '';
    expect(reset).toContain(`id: ${MAX_LIVE_ROWS + 1}\ndata: fragments <section id="event-log">`);
    // No store read per connection: the newest row, and "load older" right below it.
    expect(rowIds(reset)).toEqual([MAX_LIVE_ROWS + 1]);
    expect(reset).toContain(`before=${MAX_LIVE_ROWS + 1}`);
  });

  it('resumes after Last-Event-ID', async () => {
    const t = await setup();
    for (const owner of ['a', 'b', 'c']) await t.command({ type: 'open', owner });
    const res = await t.app.request('/events/feed', { headers: { 'last-event-id': '1' } });
    const text = await readSse(res, (s) => rowIds(s).includes(3));
    expect(rowIds(text)).toEqual([2, 3]);
  });
});
