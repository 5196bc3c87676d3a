import { storeUnavailable } from '@ironstar/application';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { createTodoTestApp } from './todo-test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async (options?: Parameters<typeof createTodoTestApp>[0]) => {
  const t = await createTodoTestApp(options);
  close = t.close;
  return t;
};

const create = async (t: Awaited<ReturnType<typeof setup>>, text = 'milk') => {
  const res = await t.command({ type: 'create', text });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string; sequence: number };
};

describe('POST /api/commands/todo', () => {
  it('accepts each command type with 202, the todo id and its global sequence', async () => {
    const t = await setup();
    const created = await create(t, '  buy milk  ');
    expect(created.sequence).toBe(1);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const steps = [
      { type: 'rename', id: created.id, text: 'buy oat milk' },
      { type: 'complete', id: created.id },
      { type: 'reopen', id: created.id },
      { type: 'delete', id: created.id },
    ];
    for (const [i, body] of steps.entries()) {
      const res = await t.command(body);
      expect(res.status).toBe(202);
      expect(res.headers.get('etag')).toBe(`"${i + 2}"`);
      expect(await res.json()).toEqual({ id: created.id, sequence: i + 2 });
    }
    expect(t.events.map((e) => e.eventType)).toEqual([
      'TodoCreated',
      'TodoRenamed',
      'TodoCompleted',
      'TodoReopened',
      'TodoDeleted',
    ]);
    expect(t.events[0]?.payload).toMatchObject({ text: 'buy milk' });
  });

  it('records request and correlation ids, honouring X-Correlation-Id', async () => {
    const t = await setup();
    const res = await t.command({ type: 'create', text: 'x' }, { 'x-correlation-id': 'flow-42' });
    expect(res.headers.get('x-correlation-id')).toBe('flow-42');
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const metadata = t.events[0]?.metadata;
    expect(metadata).toMatchObject({ correlationId: 'flow-42', requestId });
    expect(metadata?.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(metadata?.causationId).toBe(metadata?.commandId);
  });

  const bad: Array<[string, unknown, number, string]> = [
    ['malformed JSON', '{"type":', 400, 'malformed'],
    ['a JSON array', '[]', 400, 'validation'],
    ['an unknown type', { type: 'explode' }, 400, 'validation'],
    ['create without text', { type: 'create' }, 400, 'validation'],
    ['create with blank text', { type: 'create', text: '   ' }, 400, 'validation'],
    ['create with 501 characters', { type: 'create', text: 'x'.repeat(501) }, 400, 'validation'],
    ['complete with a bad id', { type: 'complete', id: '1; DROP TABLE events' }, 400, 'validation'],
    [
      'complete of an unknown todo',
      { type: 'complete', id: '7b0f2c7e-1d7c-4d1e-9a43-0f0a3d5e8b11' },
      404,
      'not_found',
    ],
  ];
  it.each(bad)(
    'answers %s with a JSON error and appends nothing',
    async (_, body, status, code) => {
      const t = await setup();
      const res = await t.command(body);
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe(code);
      expect(json.error.message.length).toBeGreaterThan(0);
      expect(t.events).toHaveLength(0);
    },
  );

  it('answers an invalid transition with 409 and appends nothing', async () => {
    const t = await setup();
    const { id } = await create(t);
    expect((await t.command({ type: 'complete', id })).status).toBe(202);
    const again = await t.command({ type: 'complete', id });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: { code: 'invalid_transition', message: 'todo is already completed' },
    });
    expect((await t.command({ type: 'reopen', id })).status).toBe(202);
    expect((await t.command({ type: 'reopen', id })).status).toBe(409);
    expect(t.events).toHaveLength(3);
  });

  it('answers 415 for anything but JSON', async () => {
    const t = await setup();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const res = await t.app.request('/api/commands/todo', {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body: '{"type":"create","text":"x"}',
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'unsupported_media_type',
      );
    }
    expect(t.events).toHaveLength(0);
  });

  it('answers 413 for a body over 64 KiB, declared or streamed', async () => {
    const t = await setup();
    const big = JSON.stringify({ type: 'create', text: 'x'.repeat(70 * 1024) });
    const declared = await t.command(big);
    expect(declared.status).toBe(413);
    const streamed = await t.app.request('/api/commands/todo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
    expect(t.events).toHaveLength(0);
  });

  it('answers 503 with code unavailable when the store cannot be written', async () => {
    const t = await setup({
      wrapStore: (store) => ({ ...store, append: () => errAsync(storeUnavailable('disk full')) }),
    });
    const res = await t.command({ type: 'create', text: 'x' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });
});

describe('POST /api/commands/todo: concurrency and idempotency', () => {
  it('replays a retried command with the same Idempotency-Key, appending once', async () => {
    const t = await setup();
    const send = () =>
      t.command({ type: 'create', text: 'once' }, { 'idempotency-key': 'abc-123' });
    const first = await send();
    const again = await send();
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(t.events).toHaveLength(1);
    expect(t.events[0]?.metadata?.commandId).toBe('abc-123');
  });

  it('accepts the key as a commandId body field too', async () => {
    const t = await setup();
    await t.command({ type: 'create', text: 'once', commandId: 'body-key' });
    const again = await t.command(
      { type: 'create', text: 'once' },
      { 'idempotency-key': 'body-key' },
    );
    expect(again.status).toBe(202);
    expect(t.events).toHaveLength(1);
  });

  it('answers 422 when a key is reused for a different command, and 400 for bad keys', async () => {
    const t = await setup();
    await t.command({ type: 'create', text: 'one' }, { 'idempotency-key': 'k' });
    const reused = await t.command({ type: 'create', text: 'two' }, { 'idempotency-key': 'k' });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe(
      'idempotency_key_reused',
    );
    const clash = await t.command(
      { type: 'create', text: 'x', commandId: 'a' },
      { 'idempotency-key': 'b' },
    );
    expect(clash.status).toBe(400);
    const blank = await t.command({ type: 'create', text: 'x', commandId: 'has space' });
    expect(blank.status).toBe(400);
    expect(t.events).toHaveLength(1);
  });

  it('honours If-Match: 202 at the right version, 412 with the current ETag when stale', async () => {
    const t = await setup();
    const { id } = await create(t);
    const ok = await t.command({ type: 'rename', id, text: 'v2' }, { 'if-match': '"1"' });
    expect(ok.status).toBe(202);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await t.command({ type: 'rename', id, text: 'lost?' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"2"');
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe(
      'precondition_failed',
    );
    expect(t.events.map((e) => e.eventType)).toEqual(['TodoCreated', 'TodoRenamed']);
    expect((await t.command({ type: 'complete', id }, { 'if-match': 'nonsense' })).status).toBe(
      400,
    );
    expect((await t.command({ type: 'create', text: 'x' }, { 'if-match': '"1"' })).status).toBe(
      400,
    );
  });

  it('GET /api/todos/:id carries the version as ETag and answers If-None-Match with 304', async () => {
    const t = await setup();
    const { id } = await create(t);
    await t.command({ type: 'complete', id });
    const res = await t.app.request(`/api/todos/${id}`);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(await res.json()).toMatchObject({
      id,
      text: 'milk',
      completed: true,
      priority: 'normal',
      version: 2,
    });
    const cached = await t.app.request(`/api/todos/${id}`, { headers: { 'if-none-match': '"2"' } });
    expect(cached.status).toBe(304);
    expect((await t.app.request('/api/todos/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
  });

  it('takes an optional priority on create and refuses unknown ones', async () => {
    const t = await setup();
    const res = await t.command({ type: 'create', text: 'urgent thing', priority: 'high' });
    expect(res.status).toBe(202);
    expect(t.events[0]?.payload).toMatchObject({ priority: 'high', owner: 'local' });
    expect(t.events[0]?.eventVersion).toBe(3);
    expect((await t.command({ type: 'create', text: 'x', priority: 'urgent' })).status).toBe(400);
  });
});
