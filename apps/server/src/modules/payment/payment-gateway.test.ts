import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInProcessPaymentGateway } from './payment-gateway';

afterEach(() => {
  vi.useRealTimers();
});

describe('the in-process payment gateway', () => {
  it('answers after its latency: authorized up to the limit, declined over it', async () => {
    vi.useFakeTimers();
    const gateway = createInProcessPaymentGateway({ latencyMs: 300, limitCents: 100_000 });
    const answers: string[] = [];
    void gateway.authorize('a', 100_000).then((answer) => answers.push(`a:${answer}`));
    void gateway.authorize('b', 100_001).then((answer) => answers.push(`b:${answer}`));
    await vi.advanceTimersByTimeAsync(299);
    expect(answers).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(answers).toEqual(['a:authorized', 'b:declined']);
  });

  it('is idempotent by payment id: a repeat shares the first answer and its timing', async () => {
    vi.useFakeTimers();
    const gateway = createInProcessPaymentGateway({ latencyMs: 100, limitCents: 10 });
    const first = gateway.authorize('p', 5);
    await vi.advanceTimersByTimeAsync(50);
    // Same payment, another amount: still the first answer (the gateway charged once).
    const again = gateway.authorize('p', 500);
    expect(again).toBe(first);
    await vi.advanceTimersByTimeAsync(50);
    await expect(again).resolves.toBe('authorized');
  });

  it('remembers a bounded number of payments', async () => {
    vi.useFakeTimers();
    const gateway = createInProcessPaymentGateway({ latencyMs: 0, limitCents: 10, remember: 2 });
    const first = gateway.authorize('p1', 1);
    gateway.authorize('p2', 1);
    gateway.authorize('p3', 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(gateway.authorize('p3', 1)).not.toBe(first);
    expect(gateway.authorize('p1', 1)).not.toBe(first); // forgotten: asked anew
    gateway.close();
  });
});
