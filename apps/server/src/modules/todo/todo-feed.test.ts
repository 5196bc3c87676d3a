import { onSseMessages, readSse } from '@ironstar/web/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTodoTestApp } from './todo-test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async (pageSize?: number) => {
  const t = await createTodoTestApp(pageSize === undefined ? {} : { pageSize });
  close = t.close;
  return t;
};
type T = Awaited<ReturnType<typeof setup>>;

const create = async (t: T, text: string) =>
  ((await (await t.command({ type: 'create', text })).json()) as { id: string }).id;

/** Reads an SSE body as it arrives; `events` holds each parsed message. */
const follow = (response: Response) => {
  const events: Array<{ event: string; id?: string; data: string[]; bytes: number }> = [];
  const { cancel } = onSseMessages(response, (message) => {
    // The "you are live" hello every feed opens with is not part of any frame.
    if (message.includes('signals {"_conn":"live"')) return;
    const lines = message.split('\n');
    const field = (name: string) =>
      lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
    events.push({
      event: field('event')[0] ?? '',
      ...(field('id')[0] === undefined ? {} : { id: field('id')[0] }),
      data: field('data'),
      bytes: new TextEncoder().encode(`${message}\n\n`).byteLength,
    });
  });
  return {
    events,
    /** Waits for the message carrying `id`, and returns the bytes of the frame ending in it. */
    async frameUpTo(id: number) {
      await vi.waitFor(() => expect(events.some((e) => e.id === String(id))).toBe(true));
      const end = events.findIndex((e) => e.id === String(id));
      let start = end;
      while (start > 0 && events[start - 1]?.id === undefined && events[start - 1]?.event) start--;
      return events.slice(start, end + 1);
    },
    cancel,
  };
};

/**
 * What the Datastar client would do with the feed's frames, reduced to the ids of the rows
 * in #todo-items; a morph of a row that is not there fails as it does in the browser.
 */
const applyFrame = (rows: string[], frame: Array<{ event: string; data: string[] }>) => {
  for (const message of frame) {
    const value = (key: string) =>
      message.data.filter((d) => d.startsWith(`${key} `)).map((d) => d.slice(key.length + 1));
    const html = value('fragments').join('\n');
    const ids = [...html.matchAll(/<li id="todo-([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '');
    if (message.event === 'datastar-remove-fragments') {
      const id = /^#todo-(.+)$/.exec(value('selector')[0] ?? '')?.[1];
      const at = rows.indexOf(id ?? '');
      if (at >= 0) rows.splice(at, 1);
    } else if (html.startsWith('<section id="todos">')) {
      rows.splice(0, rows.length, ...ids);
    } else if (value('mergeMode')[0] === 'append') {
      rows.push(...ids);
    } else if (value('mergeMode')[0] === 'prepend') {
      rows.unshift(...ids);
    } else if (value('mergeMode')[0] === 'before') {
      const at = rows.indexOf(/^#todo-(.+)$/.exec(value('selector')[0] ?? '')?.[1] ?? '');
      if (at < 0) throw new Error(`NoTargetsFound: ${value('selector')[0]}`);
      rows.splice(at, 0, ...ids);
    } else {
      for (const id of ids) {
        if (!rows.includes(id)) throw new Error(`NoTargetsFound: #todo-${id}`);
      }
    }
  }
};

const newestIds = async (t: T, limit: number) => {
  const body = (await (await t.app.request('/api/todos?limit=1000')).json()) as {
    todos: Array<{ id: string }>;
  };
  return body.todos.map((todo) => todo.id).slice(-limit);
};

describe('the windowed todo feed', () => {
  it('sends a change as a frame whose size does not grow with the number of todos', async () => {
    const sizes: number[][] = [];
    for (const count of [10, 300, 5000]) {
      const t = await setup();
      let last = '';
      for (let i = 0; i < count; i++) last = await create(t, `todo number ${i % 10}`);
      const feed = follow(
        await t.app.request('/feed', {
          headers: { 'last-event-id': String(t.position('todo-list')) },
        }),
      );
      const frameBytes: number[] = [];
      const step = async (body: unknown) => {
        const { sequence } = (await (await t.command(body)).json()) as { sequence: number };
        const frame = await feed.frameUpTo(sequence);
        frameBytes.push(frame.reduce((sum, e) => sum + e.bytes, 0));
      };
      await step({ type: 'create', text: 'one more' });
      await step({ type: 'rename', id: last, text: 'renamed' });
      await step({ type: 'complete', id: last });
      await step({ type: 'delete', id: last });
      // Nothing but the retry line and these frames: no whole list was sent.
      expect(feed.events.filter((e) => e.data.some((d) => d.includes('<section')))).toEqual([]);
      await feed.cancel();
      sizes.push(frameBytes);
      await t.close();
      close = undefined;
    }
    const [few = [], full = [], many = []] = sizes;
    expect(many).toHaveLength(4);
    for (const [i, bytes] of many.entries()) {
      // Past one page, only the digits of counts and sequences differ.
      expect(Math.abs(bytes - (full[i] ?? 0)), `frame ${i}`).toBeLessThan(48);
      // Below a page, a frame lacks the "show more" line and the row leaving or entering the
      // window: at most one row (~2.6 KB before compression: its controls' Datastar
      // expressions, which compress to almost nothing) smaller.
      expect(bytes - (few[i] ?? 0), `frame ${i}`).toBeLessThan(3 * 1024);
      expect(bytes).toBeLessThan(8 * 1024);
    }
  }, 60_000);

  it('renders at most the page size on the page and in the first frame, with counts', async () => {
    const t = await setup(20);
    for (let i = 0; i < 300; i++) await create(t, `item ${i}`);
    const page = await (await t.app.request('/')).text();
    expect(page.match(/<li id="todo-/g)).toHaveLength(20);
    expect(page).toContain('300 items left');
    expect(page).toContain('showing the newest 20');
    expect(page).toContain('href="/?limit=40"');
    expect(page).toContain('value="item 299"');
    expect(page).not.toContain('value="item 279"');
    // A larger window, through ?limit=, for the page and its feed alike.
    const wider = await (await t.app.request('/?limit=40')).text();
    expect(wider.match(/<li id="todo-/g)).toHaveLength(40);
    expect(wider).toContain('@get(&#39;/feed?limit=40&#39;');
    const feed = follow(await t.app.request('/feed?limit=40'));
    const [frame] = await feed.frameUpTo(t.position('todo-list'));
    expect(frame?.data.join('\n').match(/<li id="todo-/g)).toHaveLength(40);
    await feed.cancel();
  });

  it('keeps a client’s rows exactly the newest window through creates, edits, deletes and restores', async () => {
    const t = await setup();
    const limit = 3;
    for (let i = 0; i < 5; i++) await create(t, `seed ${i}`);
    const feed = follow(await t.app.request(`/feed?limit=${limit}`));
    const rows: string[] = [];
    applyFrame(rows, await feed.frameUpTo(t.position('todo-list')));
    expect(rows).toEqual(await newestIds(t, limit));
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const deleted: string[] = [];
    for (let step = 0; step < 80; step++) {
      const ids = await newestIds(t, 1000);
      const id = ids[Math.floor(random() * ids.length)];
      const r = random();
      // An undo brings back a deleted todo, in its old place (inside the window or not).
      const undo =
        deleted.length > 0 && r >= 0.9
          ? deleted.splice(random() * deleted.length, 1)[0]
          : undefined;
      const body =
        undo !== undefined
          ? { type: 'restore', id: undo }
          : id === undefined || r < 0.35
            ? { type: 'create', text: `step ${step}` }
            : r < 0.6
              ? { type: 'delete', id }
              : r < 0.8
                ? { type: 'rename', id, text: `renamed at ${step}` }
                : { type: 'complete', id };
      const res = await t.command(body);
      if (res.status !== 202) continue; // e.g. completing a completed todo
      if (body.type === 'delete' && id !== undefined) deleted.push(id);
      const { sequence } = (await res.json()) as { sequence: number };
      applyFrame(rows, await feed.frameUpTo(sequence));
      expect(rows, `after step ${step}`).toEqual(await newestIds(t, limit));
    }
    await feed.cancel();
  });

  it('sends nothing to a client that has this state, and the window to one that has not', async () => {
    const t = await setup();
    await create(t, 'a');
    await create(t, 'b');
    const same = follow(await t.app.request('/feed', { headers: { 'last-event-id': '2' } }));
    const stale = follow(await t.app.request('/feed', { headers: { 'last-event-id': '1' } }));
    const [window] = await stale.frameUpTo(2);
    expect(window?.data[0]).toMatch(/^fragments <section id="todos">/);
    await create(t, 'c');
    const frame = await same.frameUpTo(3);
    expect(same.events.filter((e) => e.event)).toEqual(frame);
    expect(frame.map((e) => e.event)).toEqual([
      'datastar-merge-fragments',
      'datastar-merge-fragments',
    ]);
    await same.cancel();
    await stale.cancel();
  });

  it('refuses a window size outside 1 to 5 pages', async () => {
    const t = await setup(10);
    for (const limit of ['0', '51', 'abc', '-1', '1e3', '99999999999999999999']) {
      for (const path of ['/', '/feed']) {
        const res = await t.app.request(`${path}?limit=${limit}`);
        expect(res.status, `${path}?limit=${limit}`).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: 'validation' } });
      }
    }
    expect(t.hub.size()).toBe(0);
  });
});

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
