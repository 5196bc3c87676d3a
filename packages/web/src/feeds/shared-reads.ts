import type { EventStore, StoredEvent, StoreUnavailable } from '@ironstar/application';
import { okAsync, type Result, ResultAsync } from 'neverthrow';

export type SharedReadsOptions = {
  /** Full pages kept (history never changes, so a full page stays true for ever). */
  readonly maxPages?: number;
  /** How long a page that reached the head may be served again, at most. */
  readonly tailTtlMs?: number;
  readonly now?: () => number;
  /** Called for each query that goes to the store. */
  readonly onStoreRead?: () => void;
};

type Page = readonly StoredEvent[];
type Cached = { readonly page: Page; readonly full: boolean; readonly at: number };

/**
 * The store's reads shared between the readers that catch up for SSE connections: the same
 * page asked for by many (1,000 browsers reconnecting from one position) is read once, while
 * in flight and from a small cache afterwards, and every reader gets the very same event
 * objects, so each event's frame is encoded once too. A page that reached the head is served
 * again only briefly and not once a later event is known (`headMoved`); a reader served it
 * finds the rest through its gap check or the store's head, as after any read.
 */
export const createSharedReads = (
  store: Pick<EventStore, 'readAll' | 'head'>,
  options: SharedReadsOptions = {},
) => {
  const maxPages = options.maxPages ?? 16;
  const tailTtlMs = options.tailTtlMs ?? 1000;
  const now = options.now ?? Date.now;
  // Insertion order doubles as recency: a hit is moved to the end.
  const pages = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Result<Page, StoreUnavailable>>>();
  let heads: ReturnType<typeof store.head> | undefined;
  let reads = 0;

  const fresh = (cached: Cached) => cached.full || now() - cached.at <= tailTtlMs;

  const readAll = (request: { after: number; limit: number }) => {
    const key = `${request.after}:${request.limit}`;
    const cached = pages.get(key);
    if (cached && fresh(cached)) {
      pages.delete(key);
      pages.set(key, cached);
      return okAsync<Page, StoreUnavailable>(cached.page);
    }
    let pending = inFlight.get(key);
    if (!pending) {
      reads++;
      options.onStoreRead?.();
      pending = (async () => {
        const result = await store.readAll(request);
        inFlight.delete(key);
        if (result.isOk()) {
          pages.delete(key);
          pages.set(key, {
            page: result.value,
            full: result.value.length === request.limit,
            at: now(),
          });
          while (pages.size > maxPages) {
            const oldest = pages.keys().next().value;
            if (oldest === undefined) break;
            pages.delete(oldest);
          }
        }
        return result;
      })();
      inFlight.set(key, pending);
    }
    return new ResultAsync(pending);
  };

  return {
    readAll,
    /** The head, one query for every caller asking at the same time. */
    head() {
      if (!heads) {
        reads++;
        options.onStoreRead?.();
        const pending = store.head();
        heads = pending;
        void pending.then(() => {
          heads = undefined;
        });
      }
      return heads;
    },
    /** A later event exists: pages that ended at the head before it are no longer whole. */
    headMoved(sequence: number) {
      for (const [key, cached] of pages) {
        if (!cached.full && (cached.page.at(-1)?.globalSequence ?? 0) < sequence) pages.delete(key);
      }
    },
    /** Reads that went to the store (for tests and metrics). */
    storeReads: () => reads,
  };
};

export type SharedReads = ReturnType<typeof createSharedReads>;
