import { processStreamType } from '@ironstar/application';
import {
  CART_CHECKOUT_PROCESS,
  cartCheckoutProcess,
  createInMemoryEventBus,
  createInMemoryEventStore,
} from '@ironstar/application/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../runtime';
import { cartModule } from '../testing/cart-module';
import { createTestApp } from '../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async (checkoutAfterMs = 60_000) => {
  const t = await createTestApp({ processes: [cartCheckoutProcess({ checkoutAfterMs })] });
  close = t.close;
  return t;
};

describe('process managers in the runtime', () => {
  it('react to a command sent over HTTP with a command to the target module, under its correlation id', async () => {
    const t = await setup();
    const opened = await t.command(
      { type: 'open', owner: 'ada' },
      { 'x-correlation-id': 'order-42' },
    );
    expect(opened.status).toBe(202);
    const { id } = (await opened.json()) as { id: string };
    await vi.waitFor(() =>
      expect(t.events.filter((e) => e.aggregateId === id).map((e) => e.eventType)).toEqual([
        'CartOpened',
        'InputReceived',
        'CommandScheduled',
        'TimerSet',
        'ItemAdded',
      ]),
    );
    const gift = t.events.find((e) => e.eventType === 'ItemAdded');
    expect(gift?.metadata?.correlationId).toBe('order-42');
    expect(t.events.find((e) => e.eventType === 'InputReceived')).toMatchObject({
      aggregateType: processStreamType(CART_CHECKOUT_PROCESS),
      aggregateId: id,
    });
    expect(t.runtime.processes.get(CART_CHECKOUT_PROCESS)?.isActive()).toBe(true);
    // Their streams are in the event log's filters like the modules' own.
    const log = await (await t.app.request('/events')).text();
    expect(log).toContain('<option value="Process:cart-checkout">');
    expect(log).toContain('<option value="InputReceived">');
    // Counted once the outbox row is cleared, just after the target appended.
    await vi.waitFor(async () =>
      expect(await (await t.app.request('/metrics')).text()).toMatch(
        /ironstar_process_manager_events_total\{manager="cart-checkout",event="sent"\} 1/,
      ),
    );
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toMatch(/ironstar_process_manager_lag_events\{manager="cart-checkout"\} \d/);
    expect(metrics).toMatch(/ironstar_process_manager_position\{manager="cart-checkout"\} [1-9]/);
  });

  it('refuses two managers of one name, and managers without a process store', async () => {
    const manager = cartCheckoutProcess();
    await expect(createTestApp({ processes: [manager, manager] })).rejects.toThrow(
      'two process managers are named cart-checkout',
    );
    await expect(
      createRuntime(
        { store: createInMemoryEventStore(), bus: createInMemoryEventBus() },
        { processMetrics: false },
        [cartModule],
        { processes: [manager] },
      ),
    ).rejects.toThrow('process managers are registered but the runtime has no process store');
  });
});
