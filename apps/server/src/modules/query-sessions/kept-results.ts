import type { QueryResult } from '@ironstar/application';

export type KeptResultsOptions = {
  readonly maxEntries: number;
  /** Total `bytes` of the rows kept; the oldest results go first. */
  readonly maxBytes: number;
};

/**
 * The rows of recent query sessions, by session id, so a page can show them again. Bounded in
 * count and in bytes: a result larger than the whole budget is not kept at all.
 */
export const createKeptResults = (options: KeptResultsOptions) => {
  const results = new Map<string, QueryResult>();
  let bytes = 0;
  const drop = (id: string) => {
    const result = results.get(id);
    if (!result) return;
    results.delete(id);
    bytes -= result.bytes;
  };
  return {
    /** Keeps `result`; false when it alone is over the byte budget. */
    keep(id: string, result: QueryResult): boolean {
      drop(id);
      if (result.bytes > options.maxBytes) return false;
      results.set(id, result);
      bytes += result.bytes;
      for (const oldest of results.keys()) {
        if (results.size <= options.maxEntries && bytes <= options.maxBytes) break;
        drop(oldest);
      }
      return true;
    },
    get: (id: string): QueryResult | undefined => results.get(id),
    size: () => results.size,
    bytes: () => bytes,
  };
};

export type KeptResults = ReturnType<typeof createKeptResults>;
