import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  return t;
};

const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe('GET /feed (Datastar)', () => {
  it('sends one fat morph of the current state, id = global sequence', async () => {
    const t = await setup();
    await t.command({ type: 'create', text: 'a <b>' });
    await t.command({ type: 'create', text: 'b' });
    const res = await t.app.request('/feed');
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await readSse(res, (s) => s.includes('</section>'));
    expect(text.startsWith('retry: 1000\n\n')).toBe(true);
    expect(text).toContain(
      'event: datastar-merge-fragments\nid: 2\ndata: fragments <section id="todos">',
    );
    expect(text).toContain('value="a &lt;b&gt;"');
  });

  it('sends nothing on reconnect when nothing changed, then every change live', async () => {
    const t = await setup();
    await t.command({ type: 'create', text: 'a' });
    const res = await t.app.request('/feed', { headers: { 'last-event-id': '1' } });
    setTimeout(() => void t.command({ type: 'create', text: 'live one' }), 50);
    const text = await readSse(res, (s) => s.includes('live one'));
    expect(ids(text)).toEqual([2]);
  });

  it('sends the state at once when the client missed changes', async () => {
    const t = await setup();
    for (const text of ['a', 'b', 'c']) await t.command({ type: 'create', text });
    const res = await t.app.request('/feed', { headers: { 'last-event-id': '1' } });
    const text = await readSse(res, (s) => s.includes('</section>'));
    expect(ids(text)).toEqual([3]);
    expect(text).toContain('value="c"');
  });

  it('counts open feeds and closes them on abort without throwing', async () => {
    const t = await setup();
    const res = await t.app.request('/feed');
    expect(t.hub.size('todos')).toBe(1);
    t.hub.abortAll();
    await expect(readSse(res, () => false)).rejects.toThrow();
    expect(t.hub.size()).toBe(0);
    // A change after the client left is not an error anywhere.
    expect((await t.command({ type: 'create', text: 'after' })).status).toBe(202);
  });
});

describe('GET /api/events/stream', () => {
  it('resumes after Last-Event-ID with every stored event exactly once, then live', async () => {
    const t = await setup();
    for (const text of ['a', 'b', 'c']) await t.command({ type: 'create', text });
    const res = await t.app.request('/api/events/stream', { headers: { 'last-event-id': '1' } });
    setTimeout(() => void t.command({ type: 'create', text: 'd' }), 50);
    const text = await readSse(res, (s) => ids(s).includes(4));
    expect(ids(text)).toEqual([2, 3, 4]);
    expect(text).not.toMatch(/^event:/m);
    const firstData = text.split('\n').find((line) => line.startsWith('data: '));
    expect(JSON.parse(firstData?.slice(6) ?? '')).toMatchObject({
      globalSequence: 2,
      aggregateType: 'Todo',
      eventType: 'TodoCreated',
      payload: { text: 'b' },
    });
  });

  it('starts at the head without a position, and honours ?after=', async () => {
    const t = await setup();
    await t.command({ type: 'create', text: 'old' });
    const fromHead = await t.app.request('/api/events/stream');
    setTimeout(() => void t.command({ type: 'create', text: 'new' }), 50);
    expect(ids(await readSse(fromHead, (s) => ids(s).length > 0))).toEqual([2]);
    const fromZero = await t.app.request('/api/events/stream?after=0');
    expect(ids(await readSse(fromZero, (s) => ids(s).length >= 2))).toEqual([1, 2]);
  });

  it('refuses a malformed Last-Event-ID', async () => {
    const t = await setup();
    const res = await t.app.request('/api/events/stream', { headers: { 'last-event-id': 'abc' } });
    expect(res.status).toBe(400);
  });
});
