import type { Upcaster } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createUpcasterChain, withUpcastersOnBus } from './upcasting';

const stored = (eventType: string, eventVersion: number, payload: unknown): StoredEvent => ({
  globalSequence: 1,
  id: 'e1',
  aggregateType: 'T',
  aggregateId: 'a',
  aggregateSequence: 1,
  eventType,
  eventVersion,
  payload,
  metadata: null,
  createdAt: 'T0',
});

const v1to2: Upcaster = {
  eventType: 'Created',
  fromVersion: 1,
  upcast: (p) => ({ ...(p as object), two: true }),
};
const v2to3: Upcaster = {
  eventType: 'Created',
  fromVersion: 2,
  upcast: (p) => ({ ...(p as object), three: true }),
};

describe('upcaster chain', () => {
  it('applies every step from the stored version to the newest, in order', () => {
    const up = createUpcasterChain([v2to3, v1to2]);
    expect(up(stored('Created', 1, { one: true }))).toMatchObject({
      eventVersion: 3,
      payload: { one: true, two: true, three: true },
    });
    expect(up(stored('Created', 2, {}))).toMatchObject({
      eventVersion: 3,
      payload: { three: true },
    });
  });

  it('leaves current versions and other event types alone', () => {
    const up = createUpcasterChain([v1to2, v2to3]);
    const current = stored('Created', 3, { x: 1 });
    expect(up(current)).toBe(current);
    const other = stored('Renamed', 1, { x: 1 });
    expect(up(other)).toBe(other);
  });

  it('refuses two upcasters for the same event version', () => {
    expect(() => createUpcasterChain([v1to2, { ...v1to2 }])).toThrow(
      'two upcasters for the same event version',
    );
  });
});

describe('the bus through upcasters', () => {
  it('lifts what another process published, and hands a current event on as it is', async () => {
    const bus = createInMemoryEventBus();
    const lifted = withUpcastersOnBus(bus, [v1to2, v2to3]);
    const seen: StoredEvent[] = [];
    const stop = lifted.subscribe('events/', (event) => seen.push(event));
    const current = stored('Renamed', 1, { name: 'x' });
    await bus.publish([stored('Created', 1, { n: 1 }), current]);
    expect(seen[0]).toMatchObject({ eventVersion: 3, payload: { n: 1, two: true, three: true } });
    expect(seen[1]).toBe(current);
    stop();
    await bus.publish([current]);
    expect(seen).toHaveLength(2);
  });
});

describe('upcasters scoped to an aggregate', () => {
  it("lift only their own aggregate's events; an unscoped one lifts any aggregate's", () => {
    const up = createUpcasterChain([
      { aggregateType: 'A', eventType: 'Created', fromVersion: 1, upcast: () => ({ by: 'A' }) },
      { aggregateType: 'B', eventType: 'Created', fromVersion: 1, upcast: () => ({ by: 'B' }) },
      { eventType: 'Created', fromVersion: 2, upcast: (p) => ({ ...(p as object), any: true }) },
    ]);
    const of = (aggregateType: string) => ({ ...stored('Created', 1, {}), aggregateType });
    expect(up(of('A'))).toMatchObject({ eventVersion: 3, payload: { by: 'A', any: true } });
    expect(up(of('B'))).toMatchObject({ eventVersion: 3, payload: { by: 'B', any: true } });
    expect(up(of('C'))).toMatchObject({ eventVersion: 1, payload: {} });
  });
});
