/** A refusal: how many seconds until the user's window opens again. */
export type RateLimited = { readonly retryAfterSeconds: number };

/**
 * Counts each user's requests in fixed one-minute windows: `take(userId)` is undefined while
 * the user is under `perMinute`, else how long to wait. No timer per user: a window resets
 * when it is next looked at. At most `maxUsers` counters are kept; past it, the longest idle
 * is dropped (insertion order, refreshed on use), so the map never grows with the users.
 */
export const createRateLimiter = (options: {
  readonly perMinute: number;
  readonly maxUsers?: number;
  readonly now?: () => number;
}) => {
  const windowMs = 60_000;
  const maxUsers = options.maxUsers ?? 10_000;
  const now = options.now ?? Date.now;
  const counters = new Map<string, { start: number; count: number }>();
  return {
    take(userId: string): RateLimited | undefined {
      const t = now();
      let counter = counters.get(userId);
      if (counter) counters.delete(userId);
      if (!counter || t - counter.start >= windowMs) counter = { start: t, count: 0 };
      counters.set(userId, counter);
      if (counters.size > maxUsers) {
        const oldest = counters.keys().next().value;
        if (oldest !== undefined) counters.delete(oldest);
      }
      if (counter.count >= options.perMinute) {
        return { retryAfterSeconds: Math.max(1, Math.ceil((counter.start + windowMs - t) / 1000)) };
      }
      counter.count++;
      return undefined;
    },
    size: () => counters.size,
  };
};

export type RateLimiter = ReturnType<typeof createRateLimiter>;
