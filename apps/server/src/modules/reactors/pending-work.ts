import type { ProjectionRunner, StoredEvent } from '@ironstar/application';
import type { RuntimeLog } from '@ironstar/web';

/** One unit of work an aggregate waits for (a requested payment, a requested shipment). */
export type PendingItem = { readonly id: string };

export type PendingWorkOptions<Item extends PendingItem> = {
  readonly name: string;
  /** The items waiting, kept by a projection: an item leaves once its answer is stored. */
  readonly pending: ProjectionRunner<ReadonlyMap<string, Item>>;
  /**
   * Does one item's work and records the answer (a command through its aggregate service,
   * idempotent by item). Resolves 'retry' on a transient failure.
   */
  readonly work: (item: Item) => Promise<'done' | 'retry'>;
  /** Items worked on at once; the others wait their turn. */
  readonly maxConcurrent: number;
  readonly log: Pick<RuntimeLog, 'warn'>;
  /** Waits before the n-th retry of one item (default: 100 ms doubling, at most 5 s). */
  readonly backoffMs?: (attempt: number) => number;
};

/**
 * A reactor whose checkpoint is the aggregates' own state: work is "every item still pending
 * in the projection", so after a crash the restart finds the unanswered items again and works
 * them anew; the work is idempotent (the gateway by payment id, the command by its
 * idempotency key), so doing it twice has the effect of doing it once. At most
 * `maxConcurrent` items run at once; a failed one is retried with backoff while it is pending.
 */
export const createPendingWork = <Item extends PendingItem>(options: PendingWorkOptions<Item>) => {
  const backoff = options.backoffMs ?? ((attempt) => Math.min(5000, 100 * 2 ** attempt));
  const queued = new Set<string>();
  const running = new Set<string>();
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = true;
  let unsubscribe: (() => void) | undefined;

  const pump = () => {
    for (const id of queued) {
      if (stopped || running.size >= options.maxConcurrent) return;
      queued.delete(id);
      const item = options.pending.state().get(id);
      if (!item || running.has(id)) continue;
      running.add(id);
      options
        .work(item)
        .catch((error: unknown) => {
          options.log.warn({ err: error, item: id }, `${options.name}: work failed`);
          return 'retry' as const;
        })
        .then((outcome) => {
          running.delete(id);
          if (outcome === 'retry' && !stopped && options.pending.state().has(id)) {
            const attempt = (attempts.get(id) ?? 0) + 1;
            attempts.set(id, attempt);
            const timer = setTimeout(() => {
              timers.delete(timer);
              enqueue(id);
            }, backoff(attempt));
            timers.add(timer);
          } else {
            attempts.delete(id);
          }
          pump();
        });
    }
  };
  const enqueue = (id: string) => {
    if (stopped || running.has(id)) return;
    queued.add(id);
    pump();
  };

  return {
    /** Works every item pending now, then each new one as it is stored. */
    start() {
      stopped = false;
      unsubscribe = options.pending.onChange((items, event: StoredEvent) => {
        if (items.has(event.aggregateId)) enqueue(event.aggregateId);
      });
      for (const id of options.pending.state().keys()) enqueue(id);
    },
    stop() {
      stopped = true;
      unsubscribe?.();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      queued.clear();
    },
    /** Items waiting or being worked on (for tests and metrics). */
    load: () => ({ queued: queued.size, running: running.size }),
  };
};
