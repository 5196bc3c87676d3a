import type { Upcaster } from '@ironstar/domain';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent } from './event-store';

const keyOf = (aggregateType: string, eventType: string, version: number) =>
  `${aggregateType}\u0000${eventType}@${version}`;

/**
 * Applies the chain (aggregate type, event type, version) → version + 1 until no upcaster
 * matches; an upcaster that names no aggregate type applies to every aggregate's event.
 */
export const createUpcasterChain = (upcasters: readonly Upcaster[]) => {
  const keys = new Set(
    upcasters.map((u) => keyOf(u.aggregateType ?? '', u.eventType, u.fromVersion)),
  );
  if (keys.size !== upcasters.length) throw new Error('two upcasters for the same event version');
  // By event type: most events have none, and are let through after one lookup and no
  // allocation (a key string per event was measurable garbage in a million-event rebuild).
  const byType = new Map<string, Upcaster[]>();
  for (const u of upcasters) byType.set(u.eventType, [...(byType.get(u.eventType) ?? []), u]);
  const next = (event: StoredEvent) => {
    const candidates = byType.get(event.eventType);
    if (candidates === undefined) return undefined;
    let general: Upcaster | undefined;
    for (const u of candidates) {
      if (u.fromVersion !== event.eventVersion) continue;
      if (u.aggregateType === event.aggregateType) return u;
      if (u.aggregateType === undefined) general = u;
    }
    return general;
  };
  return (event: StoredEvent): StoredEvent => {
    let current = event;
    for (let up = next(current); up; up = next(current)) {
      current = {
        ...current,
        eventVersion: current.eventVersion + 1,
        payload: up.upcast(current.payload),
      };
    }
    return current;
  };
};

/**
 * The store and the bus as every reader should see them: events upcast to their current
 * version, whether loaded (the stored rows are never rewritten) or published by another
 * process, perhaps older code; so aggregates, projections and the read API agree.
 */
export const readersThrough = (upcasters: readonly Upcaster[]) => {
  const up = createUpcasterChain(upcasters);
  const all = (events: readonly StoredEvent[]) => events.map(up);
  return {
    store: <S extends EventStore>(store: S): S => ({
      ...store,
      append: (request) => store.append(request).map((r) => ({ ...r, events: all(r.events) })),
      readStream: (type, id, options) => store.readStream(type, id, options).map(all),
      readAll: (options) => store.readAll(options).map(all),
    }),
    bus: <B extends Pick<EventBus, 'subscribe'>>(bus: B): B => ({
      ...bus,
      subscribe: (prefix, listener) => bus.subscribe(prefix, (event) => listener(up(event))),
    }),
  };
};

/** The store through the upcasters (see readersThrough). */
export const withUpcasters = <S extends EventStore>(store: S, upcasters: readonly Upcaster[]): S =>
  readersThrough(upcasters).store(store);

/** The bus through the upcasters (see readersThrough). */
export const withUpcastersOnBus = <B extends Pick<EventBus, 'subscribe'>>(
  bus: B,
  upcasters: readonly Upcaster[],
): B => readersThrough(upcasters).bus(bus);
