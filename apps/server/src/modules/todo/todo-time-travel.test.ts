import { afterEach, describe, expect, it } from 'vitest';
import { createTodoTestApp } from './todo-test-app';
import { MAX_PAST_TODOS } from './todo-time-travel';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTodoTestApp();
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
      /<li id="tt-todo-[^"]+"( class="([^"]*)")?[^>]*>.*?<span class="text" dir="auto">(.*?)<\/span>/g,
    ),
  ].map((m) => `${m[3]}${m[2]?.includes('completed') ? ' ✓' : ''}`);

describe('time travel over the todo list', () => {
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

  it(`draws at most ${MAX_PAST_TODOS} todos of a long list`, async () => {
    const t = await createTodoTestApp();
    close = t.close;
    for (let i = 0; i < MAX_PAST_TODOS + 50; i++)
      await t.command({ type: 'create', text: `t${i}` });
    const html = await (await t.app.request('/time-travel')).text();
    expect(html.match(/<li id="tt-todo-/g)).toHaveLength(MAX_PAST_TODOS);
    expect(html).toContain('…and 50 more not drawn.');
  });
});
