import type { QueryResult } from '@ironstar/application';

/** Which events a cached result depends on: every event, or only these aggregate types. */
export type CacheDependency = 'all' | readonly string[];

export type QueryCacheOptions = {
  readonly ttlMs: number;
  readonly maxEntries?: number;
  /** Total size of the cached results' rows (their `bytes`); the least recently used go first. */
  readonly maxBytes?: number;
  /** Milliseconds, monotonic; injectable so tests need not sleep. */
  readonly now?: () => number;
};

type Entry = {
  readonly result: QueryResult;
  readonly dependsOn: CacheDependency;
  readonly expiresAt: number;
};

/**
 * Query results by SQL text, each kept until its TTL runs out or an event it depends on is
 * applied to the analytics projection. A result computed while such an event was applied is
 * never stored (the generation check), so the cache cannot hold anything staler than the TTL.
 * Bounded both in entries and in bytes.
 */
export const createQueryCache = (options: QueryCacheOptions) => {
  const now = options.now ?? (() => performance.now());
  const maxEntries = options.maxEntries ?? 100;
  const maxBytes = options.maxBytes ?? 64 * 2 ** 20;
  const entries = new Map<string, Entry>();
  const generations = new Map<string, number>();
  let total = 0;
  let bytes = 0;

  const drop = (sql: string) => {
    const entry = entries.get(sql);
    if (!entry) return;
    entries.delete(sql);
    bytes -= entry.result.bytes;
  };

  const generationOf = (dependsOn: CacheDependency) =>
    dependsOn === 'all' ? total : dependsOn.reduce((n, t) => n + (generations.get(t) ?? 0), 0);

  return {
    get(sql: string): QueryResult | undefined {
      const entry = entries.get(sql);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        drop(sql);
        return undefined;
      }
      // Re-insert: Map order doubles as least-recently-used order.
      entries.delete(sql);
      entries.set(sql, entry);
      return entry.result;
    },
    /** Taken before computing; `set` stores only if no dependency changed meanwhile. */
    generation: generationOf,
    set(sql: string, result: QueryResult, dependsOn: CacheDependency, generation: number): boolean {
      if (generationOf(dependsOn) !== generation || result.bytes > maxBytes) return false;
      drop(sql);
      entries.set(sql, { result, dependsOn, expiresAt: now() + options.ttlMs });
      bytes += result.bytes;
      while (entries.size > maxEntries || bytes > maxBytes) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
      return true;
    },
    /** Drops every entry that depends on any of these aggregate types. */
    invalidate(aggregateTypes: Iterable<string>): number {
      const types = new Set(aggregateTypes);
      if (types.size === 0) return 0;
      total++;
      for (const t of types) generations.set(t, (generations.get(t) ?? 0) + 1);
      let dropped = 0;
      for (const [sql, entry] of entries) {
        if (entry.dependsOn === 'all' || entry.dependsOn.some((t) => types.has(t))) {
          drop(sql);
          dropped++;
        }
      }
      return dropped;
    },
    size: () => entries.size,
    /** Bytes of rows held now. */
    bytes: () => bytes,
  };
};

export type QueryCache = ReturnType<typeof createQueryCache>;
