import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../../testing/test-app';
import { MAX_PAST_TODOS } from './time-travel-view';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  const a = await (await t.command({ type: 'create', text: 'alpha' })).json();
  await t.command({ type: 'create', text: 'beta <i>' });
  await t.command({ type: 'complete', id: a.id });
  await t.command({ type: 'rename', id: a.id, text: 'alpha two' });
  return { ...t, a: a.id as string };
};

const pastTodos = (html: string) =>
  [
    ...html.matchAll(
      /<li id="tt-todo-[^"]+"( class="([^"]*)")?[^>]*>.*?<span class="text">(.*?)<\/span>/g,
    ),
  ].map((m) => `${m[3]}${m[2]?.includes('completed') ? ' ✓' : ''}`);

describe('time travel', () => {
  it('shows the todo list exactly as it was after the chosen event', async () => {
    const t = await setup();
    const at = async (n: number) => (await t.app.request(`/time-travel?at=${n}`)).text();
    const first = await at(1);
    expect(first).toContain('<title>Time travel · ironstar</title>');
    expect(pastTodos(first)).toEqual(['alpha']);
    expect(pastTodos(await at(2))).toEqual(['alpha', 'beta &lt;i&gt;']);
    expect(pastTodos(await at(3))).toEqual(['alpha ✓', 'beta &lt;i&gt;']);
    const now = await (await t.app.request('/time-travel')).text();
    expect(pastTodos(now)).toEqual(['alpha two ✓', 'beta &lt;i&gt;']);
    expect(now).toContain('&quot;live&quot;:true');
  });

  it("shows the selected aggregate's history, later events marked", async () => {
    const t = await setup();
    const html = await (
      await t.app.request(`/time-travel?at=3&aggregateType=Todo&aggregate=${t.a}`)
    ).text();
    const history = html.slice(html.indexOf('id="tt-history"'));
    expect([...history.matchAll(/<span class="etype">(\w+)<\/span>/g)].map((m) => m[1])).toEqual([
      'TodoCreated',
      'TodoCompleted',
      'TodoRenamed',
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
    expect(text).toContain(`"at":1,"head":4,"aggregateType":"Todo","aggregate":"${t.a}"`);
    expect(pastTodos(text.replaceAll('\ndata: fragments ', ''))).toEqual(['alpha']);
    const live = encodeURIComponent(JSON.stringify({ at: 1, live: true }));
    const now = await readSse(await t.app.request(`/time-travel/view?datastar=${live}`), (s) =>
      s.includes('</section>'),
    );
    expect(now).toContain('"at":4');
  });

  it('draws at most a bounded number of past todos, saying how many more there were', async () => {
    const t = await setup();
    for (let i = 0; i < MAX_PAST_TODOS + 5; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      await t.store.append({
        aggregateType: 'Todo',
        aggregateId: id,
        expectedVersion: 0,
        events: [{ id: `e${i}`, type: 'TodoCreated', data: { id, text: `t${i}`, createdAt: 'T' } }],
      });
    }
    const html = await (await t.app.request('/time-travel')).text();
    expect(pastTodos(html)).toHaveLength(MAX_PAST_TODOS);
    expect(html).toContain(`…and ${7} more not drawn.`);
    expect(html).toContain(`${MAX_PAST_TODOS + 6} of ${MAX_PAST_TODOS + 7} left`);
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
        void t.command({ type: 'create', text: 'gamma' });
      }
      return s.includes('"head":5');
    });
    expect(text).toContain('event: datastar-merge-signals\ndata: signals {"head":4}');
  });
});
