import { createTopicRouter } from '@ironstar/application';
import { asUser, onSseMessages, type SignedInUser, STUB_AUTH } from '@ironstar/web/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { todoTopic } from './todo-feed';
import type { TodoIndexChange } from './todo-index';
import { createTodoTestApp } from './todo-test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

type Todos = { todos: Array<{ id: string; text: string }>; total: number; completed: number };

/** The todo app with two signed-in users, and a router whose deliveries a test can count. */
const setup = async () => {
  const router = createTopicRouter<TodoIndexChange>();
  const delivered: Array<{ topic: string; listeners: number }> = [];
  const publish = router.publish.bind(router);
  router.publish = (topic, change) => {
    const listeners = publish(topic, change);
    delivered.push({ topic, listeners });
    return listeners;
  };
  // Signed in for real (sessions, the identity middleware), through the stub provider.
  const t = await createTodoTestApp({ router, auth: STUB_AUTH });
  close = t.close;
  const alice = await asUser(t, 'alice');
  const bob = await asUser(t, 'bob');
  const create = async (as: SignedInUser, text: string) => {
    const res = await as.command('todo', { type: 'create', text });
    expect(res.status).toBe(202);
    return (await res.json()) as { id: string; sequence: number };
  };
  const list = async (as: SignedInUser) => (await (await as.request('/api/todos')).json()) as Todos;
  return { ...t, router, delivered, alice, bob, create, list };
};

/** The SSE messages of a feed as they arrive (ids and the todo texts their HTML shows). */
const follow = (response: Response) => {
  const messages: Array<{ id: string | undefined; texts: string[] }> = [];
  const { cancel } = onSseMessages(response, (part) => {
    messages.push({
      id: /^id: (\d+)$/m.exec(part)?.[1],
      texts: [...part.matchAll(/aria-label="Todo text" maxlength="\d+" value="([^"]*)"/g)].map(
        (m) => m[1] ?? '',
      ),
    });
  });
  return { messages, cancel };
};

describe('todos per user', () => {
  it('each user lists, counts and pages only their own todos', async () => {
    const t = await setup();
    await t.create(t.alice, 'alice one');
    const { id: bobs } = await t.create(t.bob, 'bob one');
    await t.create(t.alice, 'alice two');
    await t.bob.command('todo', { type: 'complete', id: bobs });

    const alices = await t.list(t.alice);
    expect(alices.todos.map((todo) => todo.text)).toEqual(['alice one', 'alice two']);
    expect(alices).toMatchObject({ total: 2, completed: 0 });
    expect(await t.list(t.bob)).toMatchObject({
      todos: [{ text: 'bob one' }],
      total: 1,
      completed: 1,
    });
    // Someone with no todos sees none, not everyone's.
    expect(await t.list(await asUser(t, 'carol'))).toMatchObject({ todos: [], total: 0 });

    const page = await (await t.alice.request('/')).text();
    expect(page).toContain('value="alice two"');
    expect(page).not.toContain('bob one');
    expect(page).toContain('2 items left');
  });

  it("answers another user's todo as missing: 404 on GET and on every command, nothing appended", async () => {
    const t = await setup();
    const { id } = await t.create(t.alice, 'private');
    const before = t.events.length;

    const read = await t.bob.request(`/api/todos/${id}`);
    expect(read.status).toBe(404);
    expect(await read.json()).toEqual({ error: { code: 'not_found', message: 'no such todo' } });
    for (const body of [
      { type: 'rename', id, text: 'mine now' },
      { type: 'prioritize', id, priority: 'high' },
      { type: 'complete', id },
      { type: 'reopen', id },
      { type: 'delete', id },
      { type: 'restore', id },
    ]) {
      const res = await t.bob.command('todo', body);
      expect(res.status, body.type).toBe(404);
      // The very answer a todo that never existed gets.
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no such todo' } });
    }
    const missing = await t.bob.command('todo', {
      type: 'complete',
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.status).toBe(404);
    expect(t.events.length).toBe(before);

    // Alice's todo is untouched and still answers her.
    expect(await (await t.alice.request(`/api/todos/${id}`)).json()).toMatchObject({
      text: 'private',
      completed: false,
    });
    expect((await t.alice.command('todo', { type: 'delete', id })).status).toBe(202);
    // Deleted, it still is not bob's to restore.
    expect((await t.bob.command('todo', { type: 'restore', id })).status).toBe(404);
    expect((await t.alice.command('todo', { type: 'restore', id })).status).toBe(202);
  });

  it("records each user as the owner and actor of their todo's events", async () => {
    const t = await setup();
    const { id } = await t.create(t.alice, 'mine');
    await t.alice.command('todo', { type: 'complete', id });
    const todos = t.events.filter((e) => e.aggregateType === 'Todo');
    expect(todos.map((e) => [e.eventType, e.metadata?.actor])).toEqual([
      ['TodoCreated', t.alice.user.id],
      ['TodoCompleted', t.alice.user.id],
    ]);
    expect(todos[0]?.payload).toMatchObject({ owner: t.alice.user.id });
  });

  it("bulk actions change only the user's own todos", async () => {
    const t = await setup();
    const a = await t.create(t.alice, 'a');
    const b = await t.create(t.bob, 'b');
    const res = await t.bob.request('/api/todos/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'complete-all' }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ changed: 1, skipped: 0, more: false });
    expect((await (await t.alice.request(`/api/todos/${a.id}`)).json()).completed).toBe(false);
    expect((await (await t.bob.request(`/api/todos/${b.id}`)).json()).completed).toBe(true);
    const cleared = await t.alice.request('/api/todos/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'clear-completed' }),
    });
    expect(await cleared.json()).toEqual({ changed: 0, skipped: 0, more: false });
    expect((await t.list(t.bob)).total).toBe(1);
  });

  it("a user's feed gets only that user's changes: another user's change reaches no listener of theirs", async () => {
    const t = await setup();
    await t.create(t.alice, 'alice before');
    const aliceFeed = follow(await t.alice.request('/feed'));
    const bobFeed = follow(await t.bob.request('/feed'));
    // Both feeds are subscribed once their first window is sent.
    await vi.waitFor(() => {
      expect(aliceFeed.messages.some((m) => m.id !== undefined)).toBe(true);
      expect(bobFeed.messages.some((m) => m.id !== undefined)).toBe(true);
    });
    expect(bobFeed.messages.flatMap((m) => m.texts)).toEqual([]);
    expect(t.router.subscribers(todoTopic(t.alice.user.id))).toBe(1);
    expect(t.router.subscribers(todoTopic(t.bob.user.id))).toBe(1);

    const secret = await t.create(t.alice, 'alice secret');
    // Published under alice's topic, where exactly one listener (her feed) heard it.
    expect(t.delivered.at(-1)).toEqual({ topic: todoTopic(t.alice.user.id), listeners: 1 });
    await vi.waitFor(() =>
      expect(aliceFeed.messages.some((m) => m.id === String(secret.sequence))).toBe(true),
    );
    // Bob's own change comes after alice's on every path: once his frame is there, hers
    // would have been too.
    const mine = await t.create(t.bob, 'bob own');
    await vi.waitFor(() =>
      expect(bobFeed.messages.some((m) => m.id === String(mine.sequence))).toBe(true),
    );
    expect(bobFeed.messages.some((m) => m.id === String(secret.sequence))).toBe(false);
    expect(bobFeed.messages.flatMap((m) => m.texts)).toEqual(['bob own']);
    expect(aliceFeed.messages.flatMap((m) => m.texts)).not.toContain('bob own');
    await aliceFeed.cancel();
    await bobFeed.cancel();
    await vi.waitFor(() => expect(t.router.subscribers()).toBe(0));
  });

  it("resumes by Last-Event-ID against the user's own changes: others' changes since cost no window", async () => {
    const t = await setup();
    const { sequence } = await t.create(t.alice, 'a');
    await t.create(t.bob, 'b1');
    await t.create(t.bob, 'b2');
    // Alice's client last saw her own change; only bob's happened since: nothing to send.
    const same = follow(
      await t.alice.request('/feed', { headers: { 'last-event-id': String(sequence) } }),
    );
    // Bob's client last saw a point before his latest change: it gets his window.
    const stale = follow(
      await t.bob.request('/feed', { headers: { 'last-event-id': String(sequence + 1) } }),
    );
    await vi.waitFor(() => expect(stale.messages.some((m) => m.texts.includes('b2'))).toBe(true));
    const next = await t.create(t.alice, 'a2');
    await vi.waitFor(() =>
      expect(same.messages.some((m) => m.id === String(next.sequence))).toBe(true),
    );
    // Alice got her one new row, never a whole window.
    expect(same.messages.filter((m) => m.id !== undefined).map((m) => m.id)).toEqual([
      String(next.sequence),
    ]);
    expect(same.messages.flatMap((m) => m.texts)).toEqual(['a2']);
    await same.cancel();
    await stale.cancel();
  });
});
