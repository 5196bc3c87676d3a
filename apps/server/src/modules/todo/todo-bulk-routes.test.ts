import { afterEach, describe, expect, it } from 'vitest';
import { createTodoTestApp } from './todo-test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

type Todos = { todos: Array<{ id: string; text: string; completed: boolean }> };

const setup = async () => {
  const t = await createTodoTestApp();
  close = t.close;
  const create = async (text: string) =>
    ((await (await t.command({ type: 'create', text })).json()) as { id: string }).id;
  const bulk = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.request('/api/todos/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  // The index follows the projection as events arrive: wait until it has them all.
  const todos = async () => {
    const position = t.events.length;
    while (t.position('todo-list') < position) await new Promise((r) => setTimeout(r, 5));
    return ((await (await t.app.request('/api/todos')).json()) as Todos).todos;
  };
  return { t, create, bulk, todos };
};

describe('POST /api/todos/bulk', () => {
  it('completes all, reopens all and clears the completed ones', async () => {
    const { create, bulk, todos } = await setup();
    for (const text of ['a', 'b', 'c']) await create(text);
    await todos();
    const done = await bulk({ action: 'complete-all' });
    expect(done.status).toBe(202);
    expect(await done.json()).toEqual({ changed: 3, skipped: 0, more: false });
    expect((await todos()).every((t) => t.completed)).toBe(true);

    expect(await (await bulk({ action: 'reopen-all' })).json()).toMatchObject({ changed: 3 });
    expect((await todos()).some((t) => t.completed)).toBe(false);

    await bulk({ action: 'complete-all' });
    await todos();
    expect(await (await bulk({ action: 'clear-completed' })).json()).toMatchObject({ changed: 3 });
    expect(await todos()).toEqual([]);
  });

  it('applies a resent request with the same Idempotency-Key to no todo twice', async () => {
    const { t, create, bulk, todos } = await setup();
    const id = await create('a');
    await create('b');
    await todos();
    const key = { 'idempotency-key': 'bulk-1' };
    expect(await (await bulk({ action: 'complete-all' }, key)).json()).toMatchObject({
      changed: 2,
    });
    // Reopened elsewhere meanwhile: the resend must not complete it again.
    await t.command({ type: 'reopen', id });
    await todos();
    const resent = await bulk({ action: 'complete-all' }, key);
    expect(resent.status).toBe(202);
    await todos();
    const completions = t.events.filter((e) => e.eventType === 'TodoCompleted');
    expect(completions).toHaveLength(2);
    expect((await todos()).find((todo) => todo.id === id)?.completed).toBe(false);
  });

  it('refuses another action, a body that is not JSON, and changes nothing', async () => {
    const { t, create, bulk, todos } = await setup();
    await create('a');
    await todos();
    const before = t.events.length;
    const wrong = await bulk({ action: 'delete-everything' });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: {
        code: 'validation',
        message: 'action must be one of complete-all, reopen-all, clear-completed',
      },
    });
    const text = await t.app.request('/api/todos/bulk', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'complete-all',
    });
    expect(text.status).toBe(415);
    expect(t.events.length).toBe(before);
  });
});
