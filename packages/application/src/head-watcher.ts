import type { EventStore } from './event-store';

export type HeadListener = (head: number) => void;

/** Tells subscribers the store's head now and then. */
export type HeadSource = { subscribe(listener: HeadListener): () => void };

/**
 * Reads the store's head once per interval for the whole process and tells every listener.
 * A subscriber only notices a lost bus message when a later one arrives; this catches the
 * last ones too (a proxy restart, a crashed publisher) at the cost of one query per interval.
 */
export const createHeadWatcher = (options: {
  readonly store: Pick<EventStore, 'head'>;
  readonly intervalMs: number;
}) => {
  const listeners = new Set<HeadListener>();
  let latest = 0;
  let polling = false;
  const timer = setInterval(async () => {
    if (polling || listeners.size === 0) return;
    polling = true;
    const head = await options.store.head();
    polling = false;
    if (head.isErr()) return;
    latest = head.value;
    for (const listener of [...listeners]) listener(latest);
  }, options.intervalMs);
  timer.unref();
  return {
    subscribe(listener: HeadListener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    /** The head as last read (0 before the first read). */
    latest: () => latest,
    stop: () => clearInterval(timer),
  };
};

export type HeadWatcher = ReturnType<typeof createHeadWatcher>;
