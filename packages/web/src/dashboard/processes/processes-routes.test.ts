import { defineProcessManager } from '@ironstar/application';
import { CART_CHECKOUT_PROCESS, cartCheckoutProcess } from '@ironstar/application/testing';
import type { Message } from '@ironstar/domain';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, readSse } from '../../testing/test-app';
import type { ManagerOverview } from './processes-overview';

// A second manager whose state holds user text, and whose command goes to an aggregate no
// module handles: it is parked at once (a permanent failure), so the retry path can be driven.
const echo = defineProcessManager<{ owner: string }, Message<'Opened', { owner: string }>>({
  name: 'echo-owner',
  select: (event) =>
    event.eventType === 'CartOpened'
      ? {
          instanceId: event.aggregateId,
          input: {
            type: 'Opened',
            data: { owner: String((event.payload as { owner: unknown }).owner) },
          },
        }
      : undefined,
  initialState: () => ({ owner: '' }),
  evolve: (state, input) => (input.type === 'Opened' ? { owner: input.data.owner } : state),
  decide: (input) =>
    input.type === 'Opened'
      ? {
          commands: [
            {
              key: 'ping',
              aggregateType: 'Nowhere',
              aggregateId: 'n1',
              command: { type: 'Ping', data: {} },
            },
          ],
        }
      : {},
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());
const setup = async () => {
  const t = await createTestApp({ processes: [cartCheckoutProcess(), echo] });
  close = t.close;
  return t;
};
const overview = async (t: Awaited<ReturnType<typeof setup>>) =>
  ((await (await t.app.request('/api/processes')).json()) as { managers: ManagerOverview[] })
    .managers;
const post = (
  t: Awaited<ReturnType<typeof setup>>,
  path: string,
  body: string,
  type = 'application/json',
) => t.app.request(path, { method: 'POST', headers: { 'content-type': type }, body });

describe('/processes and /api/processes', () => {
  it('lists every manager with checkpoint, lag, instances with their state, timers and parked commands', async () => {
    const t = await setup();
    const opened = await t.command({ type: 'open', owner: '<img src=x onerror=alert(1)>' });
    const { id } = (await opened.json()) as { id: string };
    await vi.waitFor(async () => {
      const [cart, echoed] = await overview(t);
      expect(cart?.instances).toHaveLength(1);
      expect(echoed?.outbox[0]?.status).toBe('parked');
    });
    const [cart, echoed] = await overview(t);
    expect(cart).toMatchObject({
      name: CART_CHECKOUT_PROCESS,
      active: true,
      instances: [{ instanceId: id, done: false, state: { status: 'waiting', cartId: id } }],
      timers: [{ instanceId: id, name: 'checkout' }],
    });
    expect(cart?.checkpoint).toBeGreaterThanOrEqual(1);
    expect(cart?.lag).toBe((cart?.head ?? 0) - (cart?.checkpoint ?? 0));
    expect(echoed?.instances[0]?.state).toEqual({ owner: '<img src=x onerror=alert(1)>' });
    expect(echoed?.outbox[0]).toMatchObject({
      key: 'ping',
      attempts: 1,
      lastError: 'no module handles aggregate type Nowhere',
    });

    const page = await (await t.app.request('/processes')).text();
    expect(page).toContain('<h1>Process managers</h1>');
    expect(page).toContain('data-manager="cart-checkout"');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
    // Retry is a command like any other: one key per click, resent with it until answered.
    expect(page).toContain(
      '@post(&#39;/api/processes/echo-owner/retry&#39;, {retryMaxCount: Infinity',
    );
    expect(page).toContain('&quot;Idempotency-Key&quot;: ($_key)');
    expect(page).toMatch(/<nav[^>]*>.*>Processes<\/a>/s);
  });

  it('retries a parked command over POST, and refuses anything else with a clear 4xx', async () => {
    const t = await setup();
    await t.command({ type: 'open', owner: 'ada' });
    await vi.waitFor(async () => expect((await overview(t))[1]?.outbox[0]?.status).toBe('parked'));
    const parked = (await overview(t))[1]?.outbox[0];
    const retried = await post(
      t,
      '/api/processes/echo-owner/retry',
      JSON.stringify({ id: parked?.id }),
    );
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ id: parked?.id, status: 'pending' });
    // Re-queued and tried again: parked again, as a missing module is permanent.
    await vi.waitFor(async () =>
      expect(await (await t.app.request('/metrics')).text()).toMatch(
        /ironstar_process_manager_events_total\{manager="echo-owner",event="parked"\} 2/,
      ),
    );

    const refusals: Array<[string, string, string | undefined, number, string]> = [
      ['/api/processes/nope/retry', '{"id":"x"}', undefined, 404, 'not_found'],
      [
        '/api/processes/echo-owner/retry',
        '{"id":"x"}',
        'text/plain',
        415,
        'unsupported_media_type',
      ],
      ['/api/processes/echo-owner/retry', '{"id":', undefined, 400, 'malformed'],
      ['/api/processes/echo-owner/retry', '{"id":42}', undefined, 400, 'validation'],
      ['/api/processes/echo-owner/retry', '[]', undefined, 400, 'validation'],
      [
        '/api/processes/echo-owner/retry',
        JSON.stringify({ id: 'x'.repeat(513) }),
        undefined,
        400,
        'validation',
      ],
      ['/api/processes/echo-owner/retry', '{"id":"no-such-command"}', undefined, 404, 'not_found'],
    ];
    for (const [path, body, type, status, code] of refusals) {
      const answer = await post(t, path, body, type);
      expect([path, body, answer.status]).toEqual([path, body, status]);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    // From the page (Datastar), a refusal keeps its status and brings the server's words as
    // signals, which the page shows in place.
    const fromPage = await t.app.request('/api/processes/echo-owner/retry', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'datastar-request': 'true' },
      body: '{"id":"no-such-command"}',
    });
    expect(fromPage.status).toBe(404);
    expect(fromPage.headers.get('content-type')).toContain('text/event-stream');
    expect(await fromPage.text()).toContain(
      'data: signals {"_status":404,"_message":"no parked command with that id"}',
    );
  });

  it('streams the view over SSE as a Datastar morph', async () => {
    const t = await setup();
    const feed = await t.app.request('/processes/feed');
    expect(feed.headers.get('content-type')).toContain('text/event-stream');
    const text = await readSse(feed, (so) => so.includes('processes-view'));
    expect(text).toContain('event: datastar-merge-fragments');
    expect(text).toContain('data: fragments <div id="processes-view">');
  });

  it('shows a manager stopped by a bug in it', async () => {
    const broken = {
      ...echo,
      name: 'broken',
      decide: () => {
        throw new Error('decide <b>broke</b>');
      },
    };
    const t = await createTestApp({ processes: [broken] });
    close = t.close;
    await t.command({ type: 'open', owner: 'ada' });
    await vi.waitFor(async () =>
      expect((await overview(t))[0]?.failed).toBe('decide <b>broke</b>'),
    );
    expect((await overview(t))[0]?.active).toBe(false);
    const page = await (await t.app.request('/processes')).text();
    expect(page).toContain(
      'Stopped by a bug in the manager, until this server restarts: decide &lt;b&gt;broke&lt;/b&gt;',
    );
  });
});
