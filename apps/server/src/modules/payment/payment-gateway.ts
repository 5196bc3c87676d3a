/** The answer of a payment gateway to an authorization. */
export type GatewayAnswer = 'authorized' | 'declined';

/**
 * The port to a payment gateway. `authorize` is idempotent by payment id: asking again for the
 * same payment gives the same answer and never charges twice. A rejected promise is a
 * transient failure (asked again later).
 */
export type PaymentGateway = {
  authorize(paymentId: string, amountCents: number): Promise<GatewayAnswer>;
  /** Pending answers are dropped (the caller asks again after a restart). */
  close(): void;
};

/**
 * The in-process adapter: answers after `latencyMs`, declines any amount over `limitCents`.
 * It remembers the newest `remember` payments it answered (and every one in flight), so a
 * repeated call shares the first one's answer without growing with the data.
 */
export const createInProcessPaymentGateway = (options: {
  readonly latencyMs: number;
  readonly limitCents: number;
  readonly remember?: number;
}): PaymentGateway => {
  const remember = options.remember ?? 10_000;
  const answers = new Map<string, Promise<GatewayAnswer>>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    authorize(paymentId, amountCents) {
      const known = answers.get(paymentId);
      if (known) return known;
      const answer = new Promise<GatewayAnswer>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve(amountCents > options.limitCents ? 'declined' : 'authorized');
        }, options.latencyMs);
        timers.add(timer);
      });
      answers.set(paymentId, answer);
      // Oldest first out once over the bound (Map keeps insertion order).
      if (answers.size > remember) {
        const oldest = answers.keys().next().value;
        if (oldest !== undefined) answers.delete(oldest);
      }
      return answer;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      answers.clear();
    },
  };
};
