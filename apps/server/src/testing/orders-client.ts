import type { ApiEvent } from './spawn-server';

/** An order as `GET /api/orders/:id` answers it. */
export type ApiOrder = {
  readonly id: string;
  readonly status: 'draft' | 'submitted' | 'validated' | 'fulfilled' | 'cancelled';
  readonly totalCents: number;
  readonly paymentId: string | null;
  readonly tracking: string | null;
  readonly reason: string | null;
  readonly version: number;
};

export const TERMINAL = new Set(['fulfilled', 'cancelled']);

/** POSTs an order command; `correlationId` goes in X-Correlation-Id. */
export const orderCommand = async (url: string, body: unknown, correlationId?: string) => {
  const res = await fetch(`${url}/api/commands/order`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Creates an order of one line and submits it; the submission carries `correlationId`. */
export const placeOrder = async (
  url: string,
  item: { sku: string; quantity: number; priceCents: number },
  correlationId: string,
) => {
  const created = await orderCommand(url, { type: 'create', items: [item] });
  if (created.status !== 202)
    throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  const submitted = await orderCommand(url, { type: 'submit', id }, correlationId);
  if (submitted.status !== 202) {
    throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  }
  return id;
};

export const readOrder = async (url: string, id: string): Promise<ApiOrder | undefined> => {
  const res = await fetch(`${url}/api/orders/${id}`);
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { order: ApiOrder }).order;
};

/** Event payloads name their order as `orderId` (Payment, Shipment) or `id` (Order). */
export const orderIdOf = (event: ApiEvent) =>
  event.aggregateType === 'Order'
    ? String(event.payload.id)
    : typeof event.payload.orderId === 'string'
      ? event.payload.orderId
      : undefined;

/** Events of one type per order id. */
export const countByOrder = (events: readonly ApiEvent[], eventType: string) => {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.eventType !== eventType) continue;
    const orderId = orderIdOf(event);
    if (orderId) counts.set(orderId, (counts.get(orderId) ?? 0) + 1);
  }
  return counts;
};
