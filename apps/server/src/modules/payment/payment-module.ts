import { mapByIdSnapshot, projectionOf } from '@ironstar/application';
import { defineModule } from '@ironstar/web';
import { createPendingWork } from '../reactors/pending-work';
import { paymentAggregate } from './payment-aggregate';
import type { PaymentGateway } from './payment-gateway';

/** A payment waiting for the gateway's answer, with what its answer's metadata carries over. */
export type PendingPayment = {
  readonly id: string;
  readonly amountCents: number;
  readonly correlationId: string | undefined;
  /** The PaymentRequested event: the answer's cause. */
  readonly requestedBy: string;
};

/** Payments requested and not yet answered: the gateway reactor's work list (bounded by them). */
export const pendingPaymentsProjection = projectionOf(paymentAggregate, {
  name: 'pending-payments',
  initialState: () => new Map<string, PendingPayment>(),
  // Saved like the other read models, so a start folds only the events after its snapshot
  // (without one, every start re-read the whole store: ~7 s at a million events). Its items
  // are never changed once made, only added and deleted.
  snapshot: mapByIdSnapshot<PendingPayment>(1),
  evolve(pending, event, stored) {
    if (event.type === 'PaymentRequested') {
      pending.set(event.data.id, {
        id: event.data.id,
        amountCents: event.data.amountCents,
        correlationId: stored.metadata?.correlationId,
        requestedBy: stored.id,
      });
    } else {
      pending.delete(event.data.id);
    }
    return pending;
  },
});

export type PaymentModuleOptions = {
  readonly gateway: PaymentGateway;
  /** Gateway calls in flight at once (the rest wait their turn). */
  readonly maxConcurrent?: number;
};

/**
 * Payments: commands come from the fulfilment manager (request, void) and from the gateway
 * reactor here (authorize, decline), never over HTTP. The reactor is not a process manager:
 * it keeps no state of its own. Its work list is the payments still in Requested, so a
 * restart finds every unanswered one again and asks the gateway again (idempotent by payment
 * id); the answer is sent with the idempotency key `payment-gateway:<paymentId>`, so two
 * servers, or a resend after a crash, append it once.
 */
export const paymentModule = (options: PaymentModuleOptions) =>
  defineModule({
    aggregate: paymentAggregate,
    projections: { pending: pendingPaymentsProjection },
    setup: ({ commands, projections, log }) => {
      const reactor = createPendingWork<PendingPayment>({
        name: 'payment-gateway',
        pending: projections.pending,
        maxConcurrent: options.maxConcurrent ?? 256,
        log,
        async work(payment) {
          const answer = await options.gateway.authorize(payment.id, payment.amountCents);
          const sent = await commands.send(
            {
              aggregateId: payment.id,
              command: ({ now }) =>
                answer === 'authorized'
                  ? { type: 'AuthorizePayment', data: { id: payment.id, now } }
                  : {
                      type: 'DeclinePayment',
                      data: { id: payment.id, reason: 'over the payment limit' },
                    },
            },
            {
              commandId: `payment-gateway:${payment.id}`,
              metadata: {
                causationId: payment.requestedBy,
                ...(payment.correlationId ? { correlationId: payment.correlationId } : {}),
              },
            },
          );
          if (sent.isOk()) return 'done';
          // Refused: answered already (by another server): nothing left to do.
          if (sent.error.type === 'Rejected') return 'done';
          log.warn({ err: sent.error, payment: payment.id }, 'payment answer not stored yet');
          return 'retry';
        },
      });
      return {
        start: () => reactor.start(),
        stop: () => {
          reactor.stop();
          options.gateway.close();
        },
      };
    },
  });
