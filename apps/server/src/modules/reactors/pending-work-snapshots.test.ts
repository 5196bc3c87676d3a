import type { Projection } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { pendingPaymentsProjection } from '../payment/payment-module';
import { pendingShipmentsProjection } from '../shipment/shipment-module';

// The reactors' work lists are read models like the others: saved with their position, so a
// start folds only the events after the snapshot instead of re-reading the whole store.

const roundTrip = <S>(projection: Projection<S>, state: S): S => {
  const codec = projection.snapshot;
  if (!codec) throw new Error(`${projection.name} has no snapshot codec`);
  return codec.deserialize(JSON.parse(JSON.stringify(codec.serialize(state))));
};

describe('the pending work lists', () => {
  it('are saved and restored as they were', () => {
    const payments = new Map([
      ['p1', { id: 'p1', amountCents: 500, correlationId: 'c1', requestedBy: 'e1' }],
      ['p2', { id: 'p2', amountCents: 700, correlationId: undefined, requestedBy: 'e2' }],
    ]);
    const restored = roundTrip(pendingPaymentsProjection, payments);
    expect([...restored.keys()]).toEqual(['p1', 'p2']);
    expect(restored.get('p1')).toEqual(payments.get('p1'));
    expect(restored.get('p2')).toEqual({ id: 'p2', amountCents: 700, requestedBy: 'e2' });

    const shipments = new Map([['s1', { id: 's1', correlationId: 'c', requestedBy: 'e3' }]]);
    expect(roundTrip(pendingShipmentsProjection, shipments)).toEqual(shipments);
  });

  it('hand a snapshot a list of their own, not the map evolve keeps changing', () => {
    const state = pendingPaymentsProjection.initialState();
    const saved = pendingPaymentsProjection.snapshot?.serialize(state);
    state.set('later', { id: 'later', amountCents: 1, correlationId: undefined, requestedBy: 'x' });
    expect(saved).toEqual([]);
  });
});
