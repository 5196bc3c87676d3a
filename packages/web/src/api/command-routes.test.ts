import { type EventStore, storeUnavailable } from '@ironstar/application';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestAppOptions } from '../testing/test-app';

// The command route, written once, on the framework's own fixture module (the shopping
// cart): every status it can answer, for an aggregate that is not the reference app's.

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async (options?: TestAppOptions) => {
  const t = await createTestApp(options);
  close = t.close;
  return t;
};

type Answer = { id: string; sequence: number };
type Failure = { error: { code: string; message: string } };

const open = async (t: Awaited<ReturnType<typeof setup>>, owner = 'ada') => {
  const res = await t.command({ type: 'open', owner });
  expect(res.status).toBe(202);
  return (await res.json()) as Answer;
};

const failure = async (res: Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Failure;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
};

describe('POST /api/commands/:aggregate', () => {
  it('202: makes up a new aggregate id, answers its id and global sequence, ETag its version', async () => {
    const t = await setup();
    const res = await t.command({ type: 'open', owner: '  ada  ' });
    expect(res.status).toBe(202);
    expect(res.headers.get('etag')).toBe('"1"');
    const { id, sequence } = (await res.json()) as Answer;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sequence).toBe(1);
    const added = await t.command({ type: 'add', id, item: 'tea', quantity: 2 });
    expect(added.status).toBe(202);
    expect(added.headers.get('etag')).toBe('"2"');
    expect(await added.json()).toEqual({ id, sequence: 2 });
    expect(t.events.map((e) => [e.aggregateType, e.eventType, e.eventVersion])).toEqual([
      ['ShoppingCart', 'CartOpened', 1],
      ['ShoppingCart', 'ItemAdded', 2],
    ]);
    expect(t.events[0]?.payload).toMatchObject({ id, owner: 'ada' });
  });

  it('stores request, correlation, command and causation ids with every event', async () => {
    const t = await setup();
    const res = await t.command({ type: 'open', owner: 'x' }, { 'x-correlation-id': 'flow-42' });
    expect(res.headers.get('x-correlation-id')).toBe('flow-42');
    const metadata = t.events[0]?.metadata;
    expect(metadata).toMatchObject({
      correlationId: 'flow-42',
      requestId: res.headers.get('x-request-id'),
      actor: 'local',
    });
    expect(metadata?.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(metadata?.causationId).toBe(metadata?.commandId);
  });

  it.each([
    ['malformed JSON', '{"type":', 400, 'malformed'],
    ['a JSON array', '[]', 400, 'validation'],
    ['an unknown type', { type: 'explode' }, 400, 'validation'],
    ['a bad id', { type: 'add', id: '1; DROP TABLE events', item: 'x' }, 400, 'validation'],
    [
      'a bad quantity',
      { type: 'add', id: crypto.randomUUID(), item: 'x', quantity: 0 },
      400,
      'validation',
    ],
    [
      'a missing cart, via the module error map',
      { type: 'checkout', id: crypto.randomUUID() },
      404,
      'not_found',
    ],
  ])('%s: a JSON error, nothing stored', async (_, body, status, code) => {
    const t = await setup();
    await failure(await t.command(body), status, code);
    expect(t.events).toHaveLength(0);
  });

  it('404 for an aggregate no module takes commands for', async () => {
    const t = await setup();
    const message = await failure(await t.command({ type: 'open' }, {}, 'todo'), 404, 'not_found');
    expect(message).toBe('no aggregate takes commands by that name');
    await failure(await t.command({ type: 'open' }, {}, 'ShoppingCart'), 404, 'not_found');
  });

  it("409: the module's domain refusal, with its message", async () => {
    const t = await setup();
    const { id } = await open(t);
    const message = await failure(
      await t.command({ type: 'checkout', id }),
      409,
      'invalid_transition',
    );
    expect(message).toBe('an empty cart cannot be checked out');
    expect(t.events).toHaveLength(1);
    await t.command({ type: 'add', id, item: 'tea' });
    await t.command({ type: 'checkout', id });
    // An answer made from the error itself.
    expect(
      await failure(await t.command({ type: 'add', id, item: 'jam' }), 409, 'invalid_transition'),
    ).toBe(`cart ${id} is checked out`);
  });

  it('409 conflict when the stream keeps changing under it', async () => {
    let appends = 0;
    const racing = (store: EventStore): EventStore => ({
      ...store,
      append: (request) =>
        appends++ === 0
          ? store.append(request)
          : errAsync({
              type: 'ConcurrencyError' as const,
              aggregateType: request.aggregateType,
              aggregateId: request.aggregateId,
              expected: request.expectedVersion,
              actual: 99,
            }),
    });
    const t = await setup({ wrapStore: racing });
    const { id } = await open(t);
    const message = await failure(await t.command({ type: 'add', id, item: 'x' }), 409, 'conflict');
    expect(message).toContain(`ShoppingCart ${id} kept changing`);
  });

  it('412 with the current ETag when If-Match is stale; If-Match is refused on a new aggregate', async () => {
    const t = await setup();
    const { id } = await open(t);
    const ok = await t.command({ type: 'add', id, item: 'tea' }, { 'if-match': '"1"' });
    expect(ok.status).toBe(202);
    const stale = await t.command({ type: 'add', id, item: 'jam' }, { 'if-match': '"1"' });
    expect(stale.headers.get('etag')).toBe('"2"');
    const message = await failure(stale, 412, 'precondition_failed');
    expect(message).toBe('the cart is at version 2, not 1; nothing was changed');
    expect(
      await failure(
        await t.command({ type: 'add', id, item: 'x' }, { 'if-match': 'x' }),
        400,
        'validation',
      ),
    ).toBe('If-Match must be the ETag of a cart, like "3"');
    expect(
      await failure(
        await t.command({ type: 'open', owner: 'x' }, { 'if-match': '"1"' }),
        400,
        'validation',
      ),
    ).toBe('If-Match applies to commands on an existing cart');
    expect(t.events).toHaveLength(2);
  });

  it('413 for a body over 64 KiB, 415 for anything but JSON', async () => {
    const t = await setup();
    const big = JSON.stringify({ type: 'open', owner: 'x', pad: 'y'.repeat(70 * 1024) });
    await failure(await t.command(big), 413, 'payload_too_large');
    const res = await t.app.request('/api/commands/cart', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"type":"open","owner":"x"}',
    });
    await failure(res, 415, 'unsupported_media_type');
    expect(t.events).toHaveLength(0);
  });

  it('replays a retry under the same Idempotency-Key; 422 when the key is reused for another command', async () => {
    const t = await setup();
    const send = (owner: string) =>
      t.command({ type: 'open', owner }, { 'idempotency-key': 'key-1' });
    const first = await send('ada');
    const again = await send('ada');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    await failure(await send('bob'), 422, 'idempotency_key_reused');
    expect(t.events).toHaveLength(1);
    expect(t.events[0]?.metadata?.commandId).toBe('key-1');
  });

  it('503 with Retry-After when the store cannot be written, nothing stored', async () => {
    const t = await setup({
      wrapStore: (store) => ({ ...store, append: () => errAsync(storeUnavailable('disk full')) }),
    });
    const res = await t.command({ type: 'open', owner: 'x' });
    expect(res.headers.get('retry-after')).toBe('1');
    await failure(res, 503, 'unavailable');
    expect(t.events).toHaveLength(0);
  });

  it('counts commands by aggregate, type and outcome', async () => {
    const t = await setup();
    const { id } = await open(t);
    await t.command({ type: 'checkout', id });
    await t.command({ type: 'nope' });
    const metrics = await (await t.app.request('/metrics')).text();
    for (const line of [
      'ironstar_commands_total{aggregate="cart",type="open",outcome="accepted"} 1',
      'ironstar_commands_total{aggregate="cart",type="checkout",outcome="rejected"} 1',
      'ironstar_commands_total{aggregate="cart",type="unknown",outcome="invalid"} 1',
      'ironstar_events_appended_total{aggregate_type="ShoppingCart"} 1',
    ]) {
      expect(metrics).toContain(line);
    }
  });
});
