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
 * The store as every reader should see it: events upcast to their current version on load,
 * so aggregates, projections and the read API agree. The stored rows are never rewritten.
 */
export const withUpcasters = <S extends EventStore>(
  store: S,
  upcasters: readonly Upcaster[],
): S => {
  const up = createUpcasterChain(upcasters);
  return {
    ...store,
    append: (request) => store.append(request).map((r) => ({ ...r, events: r.events.map(up) })),
    readStream: (type, id, options) => store.readStream(type, id, options).map((es) => es.map(up)),
    readAll: (options) => store.readAll(options).map((es) => es.map(up)),
  };
};

/**
 * The bus as every reader should see it: what another process published (perhaps older
 * code, at an older version) is lifted like what is read from the store.
 */
export const withUpcastersOnBus = <B extends Pick<EventBus, 'subscribe'>>(
  bus: B,
  upcasters: readonly Upcaster[],
): B => {
  const up = createUpcasterChain(upcasters);
  return {
    ...bus,
    subscribe: (prefix, listener) => bus.subscribe(prefix, (event) => listener(up(event))),
  };
};
