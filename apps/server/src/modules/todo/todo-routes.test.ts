import { afterEach, describe, expect, it } from 'vitest';
import { createTodoTestApp } from './todo-test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('todo read routes', () => {
  it('GET /api/todos serves the projection with its position', async () => {
    const t = await createTodoTestApp();
    close = t.close;
    const res = await t.command({ type: 'create', text: 'one' });
    const { id } = (await res.json()) as { id: string };
    await t.command({ type: 'complete', id });
    await t.command({ type: 'create', text: 'two' });
    const body = (await (await t.app.request('/api/todos')).json()) as {
      todos: Array<{ id: string; text: string; completed: boolean }>;
      sequence: number;
    };
    expect(body.sequence).toBe(3);
    expect(body.todos.map(({ text, completed }) => ({ text, completed }))).toEqual([
      { text: 'one', completed: true },
      { text: 'two', completed: false },
    ]);
    expect(body.todos[0]).toMatchObject({ id, version: 2 });
  });

  it('GET / renders hostile text as text', async () => {
    const t = await createTodoTestApp();
    close = t.close;
    await t.command({ type: 'create', text: '<img src=x onerror=alert(1)>"quoted"' });
    const html = await (await t.app.request('/')).text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('value="&lt;img src=x onerror=alert(1)&gt;&quot;quoted&quot;"');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('<script type="module" src="/static/datastar-1.0.0-beta.11.js">');
  });

  it('counts todo commands and events under their aggregate', async () => {
    const t = await createTodoTestApp();
    close = t.close;
    await t.command({ type: 'create', text: 'a' });
    await t.command({ type: 'create', text: '' });
    await t.command({ type: 'complete', id: '00000000-0000-4000-8000-000000000000' });
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toContain('ironstar_events_appended_total{aggregate_type="Todo"} 1');
    for (const [type, outcome] of [
      ['create', 'accepted'],
      // Refused commands are counted under their type when it is one the module takes.
      ['create', 'invalid'],
      ['complete', 'rejected'],
    ]) {
      expect(metrics).toContain(
        `ironstar_commands_total{aggregate="todo",type="${type}",outcome="${outcome}"} 1`,
      );
    }
    expect(metrics).toContain('ironstar_projection_position{projection="todo-list"} 1');
  });
});
