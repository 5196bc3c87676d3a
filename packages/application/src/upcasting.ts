import type { Upcaster } from '@ironstar/domain';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent } from './event-store';

/** Applies the chain (event type, version) → version + 1 until no upcaster matches. */
export const createUpcasterChain = (upcasters: readonly Upcaster[]) => {
  const byKey = new Map(upcasters.map((u) => [`${u.eventType}@${u.fromVersion}`, u]));
  if (byKey.size !== upcasters.length) throw new Error('two upcasters for the same event version');
  return (event: StoredEvent): StoredEvent => {
    let current = event;
    for (let up = byKey.get(`${current.eventType}@${current.eventVersion}`); up; ) {
      current = {
        ...current,
        eventVersion: current.eventVersion + 1,
        payload: up.upcast(current.payload),
      };
      up = byKey.get(`${current.eventType}@${current.eventVersion}`);
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
