import type { EventStore } from '@ironstar/application';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** The app over a store that counts the queries it is sent. */
const setup = async () => {
  const counts = { readAll: 0, head: 0 };
  const counting = (store: EventStore): EventStore => ({
    ...store,
    readAll: (options) => {
      counts.readAll++;
      return store.readAll(options);
    },
    head: () => {
      counts.head++;
      return store.head();
    },
  });
  const t = await createTestApp({ wrapStore: counting });
  close = t.close;
  for (let i = 0; i < 270; i++) await t.command({ type: 'open', owner: `cart ${i}` });
  counts.readAll = 0;
  counts.head = 0;
  return { ...t, counts };
};

const CONNECTIONS = 200;

/**
 * Reads an SSE body until the message with id `last`, keeping only what each message says
 * (its id and the event-log row it adds): 200 bodies are read at once, so no rescanning.
 */
const readUntil = async (res: Response, last: number, timeoutMs = 30_000) => {
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  const ids: number[] = [];
  const rows: number[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (ids.at(-1) !== last) {
      if (Date.now() > deadline) throw new Error(`stopped at id ${ids.at(-1)}`);
      const { done, value } = await reader.read();
      if (done) throw new Error(`ended at id ${ids.at(-1)}`);
      buffer += decoder.decode(value, { stream: true });
      const messages = buffer.split('\n\n');
      buffer = messages.pop() ?? '';
      for (const message of messages) {
        const id = /^id: (\d+)$/m.exec(message)?.[1];
        if (id !== undefined) ids.push(Number(id));
        const row = /<li id="ev-(\d+)"/.exec(message)?.[1];
        if (row !== undefined) rows.push(Number(row));
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { ids, rows };
};
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('catching up through the shared reader', () => {
  it('costs about one store read for 200 event-log feeds reconnecting from 0', async () => {
    const t = await setup();
    const responses = await Promise.all(
      Array.from({ length: CONNECTIONS }, () =>
        t.app.request('/events/feed', { headers: { 'last-event-id': '0' } }),
      ),
    );
    const read = await Promise.all(responses.map((res) => readUntil(res, 270)));
    for (const { rows } of read) expect(rows).toEqual(oneTo(270));
    // One head and one page of 270 events, shared; the old per-connection readers made 400.
    expect(t.counts.readAll + t.counts.head).toBeLessThanOrEqual(4);
  }, 60_000);

  it('costs about one store read for 200 API streams from 0, each event exactly once', async () => {
    const t = await setup();
    const responses = await Promise.all(
      Array.from({ length: CONNECTIONS }, () =>
        t.app.request('/api/events/stream', { headers: { 'last-event-id': '0' } }),
      ),
    );
    const read = await Promise.all(responses.map((res) => readUntil(res, 270)));
    for (const { ids } of read) expect(ids).toEqual(oneTo(270));
    expect(t.counts.readAll + t.counts.head).toBeLessThanOrEqual(4);
  }, 60_000);

  it('moves 200 time-travel feeds with one shared reader', async () => {
    const t = await setup();
    const responses = await Promise.all(
      Array.from({ length: CONNECTIONS }, () => t.app.request('/time-travel/feed')),
    );
    expect(t.counts.readAll + t.counts.head).toBeLessThanOrEqual(4);
    const next = t.command({ type: 'open', owner: 'one more' });
    const texts = await Promise.all(
      responses.map((res) => readSse(res, (s) => s.includes('"head":271'), 20_000)),
    );
    await next;
    expect(texts.every((text) => text.includes('datastar-merge-signals'))).toBe(true);
    expect(t.counts.readAll + t.counts.head).toBeLessThanOrEqual(6);
  }, 60_000);

  it('resets a feed that is far behind instead of replaying the gap', async () => {
    const t = await setup();
    for (let i = 0; i < 300; i++) await t.command({ type: 'open', owner: `more ${i}` });
    t.counts.readAll = 0;
    const res = await t.app.request('/events/feed', { headers: { 'last-event-id': '3' } });
    const text = await readSse(res, (s) => s.includes('<section id="event-log">'));
    expect(text).toContain('id: 570\ndata: fragments <section id="event-log">');
    expect(text).toContain('before=571');
    expect(text).not.toContain('<li id="ev-');
    // Nothing read for this connection: the shared reader's one look at the head's end.
    expect(t.counts.readAll).toBeLessThanOrEqual(1);
  });
});
