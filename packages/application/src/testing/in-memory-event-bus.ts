import { type BusListener, type EventBus, topicOf } from '../event-bus';
import type { StoredEvent } from '../event-store';

/** A synchronous in-process bus for unit tests. `drop` simulates lost messages. */
export const createInMemoryEventBus = (): EventBus & {
  drop: (predicate: (event: StoredEvent) => boolean) => void;
} => {
  const listeners = new Set<{ prefix: string; listener: BusListener }>();
  let dropping: (event: StoredEvent) => boolean = () => false;
  return {
    async publish(events) {
      for (const event of events) {
        if (dropping(event)) continue;
        const topic = topicOf(event);
        for (const entry of [...listeners]) {
          if (topic.startsWith(entry.prefix)) entry.listener(event);
        }
      }
    },
    subscribe(prefix, listener) {
      const entry = { prefix, listener };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    drop(predicate) {
      dropping = predicate;
    },
    async close() {
      listeners.clear();
    },
  };
};
