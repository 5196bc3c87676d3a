import type { StoredEvent } from './event-store';

/** Topic of an event on the bus: `events/<AggregateType>/<aggregateId>`. */
export const topicOf = (event: Pick<StoredEvent, 'aggregateType' | 'aggregateId'>): string =>
  `events/${event.aggregateType}/${event.aggregateId}`;

/** Prefix matching every event (the design's `events/**`). */
export const ALL_EVENTS = 'events/';

export type BusListener = (event: StoredEvent) => void;

/**
 * The port that carries stored events to every process. Delivery is at most once and may
 * reorder across writers: readers dedupe and fill gaps from the store by global sequence.
 */
export type EventBus = {
  /** Publishes already-stored events; a failure loses nothing (the store has them). */
  publish(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Calls `listener` for every event received from now on whose topic starts with `prefix`.
   * Registration is effective on return, which is what subscribe-before-replay needs.
   */
  subscribe(prefix: string, listener: BusListener): () => void;
  close(): Promise<void>;
};
