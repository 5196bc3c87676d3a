import { deriveId, mapByIdSnapshot, projectionOf } from '@ironstar/application';
import { defineModule } from '@ironstar/web';
import { createPendingWork } from '../reactors/pending-work';
import { shipmentAggregate } from './shipment-aggregate';

export type PendingShipment = {
  readonly id: string;
  readonly correlationId: string | undefined;
  readonly requestedBy: string;
};

/** Shipments requested and not yet dispatched: the carrier reactor's work list. */
export const pendingShipmentsProjection = projectionOf(shipmentAggregate, {
  name: 'pending-shipments',
  initialState: () => new Map<string, PendingShipment>(),
  // Saved like the other read models, so a start folds only the events after its snapshot
  // (without one, every start re-read the whole store: ~7 s at a million events). Its items
  // are never changed once made, only added and deleted.
  snapshot: mapByIdSnapshot<PendingShipment>(1),
  evolve(pending, event, stored) {
    if (event.type === 'ShipmentRequested') {
      pending.set(event.data.id, {
        id: event.data.id,
        correlationId: stored.metadata?.correlationId,
        requestedBy: stored.id,
      });
    } else {
      pending.delete(event.data.id);
    }
    return pending;
  },
});

/** A shipment's tracking number: derived from its id, so a resend names the same parcel. */
export const trackingOf = (shipmentId: string) =>
  `TRK-${deriveId(shipmentId, 'tracking').replaceAll('-', '').slice(0, 12).toUpperCase()}`;

export type ShipmentModuleOptions = {
  /** The in-process carrier dispatches after this long (SHIPPING_LATENCY_MS). */
  readonly latencyMs: number;
  readonly maxConcurrent?: number;
};

/**
 * Shipments: requested by the fulfilment manager, dispatched by the in-process carrier here,
 * a reactor built like the payment gateway's (see payment-module.ts): its work list is the
 * shipments still requested; the dispatch is idempotent (`shipping:<shipmentId>`).
 */
export const shipmentModule = (options: ShipmentModuleOptions) =>
  defineModule({
    aggregate: shipmentAggregate,
    projections: { pending: pendingShipmentsProjection },
    setup: ({ commands, projections, log }) => {
      const timers = new Set<NodeJS.Timeout>();
      const after = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        });
      const reactor = createPendingWork<PendingShipment>({
        name: 'shipping',
        pending: projections.pending,
        maxConcurrent: options.maxConcurrent ?? 256,
        log,
        async work(shipment) {
          await after(options.latencyMs);
          const sent = await commands.send(
            {
              aggregateId: shipment.id,
              command: ({ now }) => ({
                type: 'DispatchShipment',
                data: { id: shipment.id, tracking: trackingOf(shipment.id), now },
              }),
            },
            {
              commandId: `shipping:${shipment.id}`,
              metadata: {
                causationId: shipment.requestedBy,
                ...(shipment.correlationId ? { correlationId: shipment.correlationId } : {}),
              },
            },
          );
          if (sent.isOk() || sent.error.type === 'Rejected') return 'done';
          log.warn({ err: sent.error, shipment: shipment.id }, 'dispatch not stored yet');
          return 'retry';
        },
      });
      return {
        start: () => reactor.start(),
        stop: () => {
          reactor.stop();
          for (const timer of timers) clearTimeout(timer);
        },
      };
    },
  });
