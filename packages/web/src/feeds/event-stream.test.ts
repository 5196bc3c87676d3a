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

describe('GET /api/events/stream', () => {
  it('resumes after Last-Event-ID with every stored event exactly once, then live', async () => {
    const t = await setup();
    for (const owner of ['a', 'b', 'c']) await t.command({ type: 'open', owner });
    const res = await t.app.request('/api/events/stream', { headers: { 'last-event-id': '1' } });
    setTimeout(() => void t.command({ type: 'open', owner: 'd' }), 50);
    const text = await readSse(res, (s) => ids(s).includes(4));
    expect(ids(text)).toEqual([2, 3, 4]);
    expect(text).not.toMatch(/^event:/m);
    const firstData = text.split('\n').find((line) => line.startsWith('data: '));
    expect(JSON.parse(firstData?.slice(6) ?? '')).toMatchObject({
      globalSequence: 2,
      aggregateType: 'ShoppingCart',
      eventType: 'CartOpened',
      payload: { owner: 'b' },
    });
  });

  it('starts at the head without a position, and honours ?after=', async () => {
    const t = await setup();
    await t.command({ type: 'open', owner: 'old' });
    const fromHead = await t.app.request('/api/events/stream');
    setTimeout(() => void t.command({ type: 'open', owner: 'new' }), 50);
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
