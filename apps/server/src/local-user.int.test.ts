import { describe, expect, it, vi } from 'vitest';
import { orderCommand, placeOrder, readOrder, TERMINAL } from './testing/orders-client';
import { type ApiEvent, allEvents, sendCommand, useServers } from './testing/spawn-server';
import { openSseClient } from './testing/sse-client';

const servers = useServers();

const actorOf = (event: ApiEvent) => (event.metadata as { actor?: string } | null)?.actor;

/**
 * Local mode over a real server process: with owners on todos and orders, everything is still
 * the local user's, the fulfilment manager still acts on the user's orders (as `system`), the
 * todo feed still resumes by Last-Event-ID, and a restart rebuilds the per-owner read models.
 */
describe('local mode with per-user data', () => {
  it("keeps everything the local user's, through the workflow, a feed resume and a restart", async () => {
    const { env } = await servers.database('local.db');
    const settings = { ...env, PAYMENT_LATENCY_MS: '10', SHIPPING_LATENCY_MS: '10' };
    const server = await servers.start(settings);

    const created = await sendCommand(server.url, { type: 'create', text: 'mine' });
    expect(created.status).toBe(202);
    const todoId = String(created.body.id);
    expect((await sendCommand(server.url, { type: 'complete', id: todoId })).status).toBe(202);
    const orderId = await placeOrder(
      server.url,
      { sku: 'tea', quantity: 1, priceCents: 100 },
      'c1',
    );
    await vi.waitFor(
      async () =>
        expect(TERMINAL.has((await readOrder(server.url, orderId))?.status ?? '')).toBe(true),
      { timeout: 30_000, interval: 100 },
    );
    expect((await readOrder(server.url, orderId))?.status).toBe('fulfilled');

    const events = await allEvents(server.url);
    const of = (type: string) => events.find((e) => e.eventType === type);
    expect(of('TodoCreated')).toMatchObject({ eventVersion: 3, payload: { owner: 'local' } });
    expect(of('OrderCreated')).toMatchObject({ eventVersion: 2, payload: { owner: 'local' } });
    // The user's commands are the local user's; the manager's and the reactors' the system's.
    for (const type of ['TodoCreated', 'TodoCompleted', 'OrderCreated', 'OrderSubmitted']) {
      expect(actorOf(of(type) as ApiEvent), type).toBe('local');
    }
    for (const type of ['PaymentRequested', 'OrderValidated', 'OrderFulfilled']) {
      expect(actorOf(of(type) as ApiEvent), type).toBe('system');
    }

    // A feed whose client saw the head gets nothing until a change of its user's todos.
    const head = Math.max(...events.map((e) => e.globalSequence));
    const feed = await openSseClient(`${server.url}/feed`, { 'last-event-id': String(head) });
    const next = await sendCommand(server.url, { type: 'create', text: 'live' });
    await vi.waitFor(() => expect(feed.ids).toContain(Number(next.body.sequence)), {
      timeout: 10_000,
    });
    expect(feed.ids).toEqual([Number(next.body.sequence)]);
    feed.close();

    // A restart rebuilds the per-owner read models: both todos and the order are still there.
    await server.kill('SIGKILL');
    const again = await servers.start(settings);
    const list = (await (await fetch(`${again.url}/api/todos`)).json()) as {
      todos: Array<{ id: string; completed: boolean }>;
      total: number;
    };
    expect(list.total).toBe(2);
    expect(list.todos.find((todo) => todo.id === todoId)?.completed).toBe(true);
    expect((await readOrder(again.url, orderId))?.status).toBe('fulfilled');
    const cancel = await orderCommand(again.url, { type: 'cancel', id: orderId, reason: 'late' });
    expect(cancel.status).toBe(409);
  }, 90_000);
});
