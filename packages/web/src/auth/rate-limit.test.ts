import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit';

describe('rate limiter', () => {
  it('lets a user through perMinute times a minute, then says how long to wait', () => {
    let t = 1_000_000;
    const limiter = createRateLimiter({ perMinute: 3, now: () => t });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    t += 15_000;
    expect(limiter.take('a')).toEqual({ retryAfterSeconds: 45 });
    // Another user has a count of its own.
    expect(limiter.take('b')).toBeUndefined();
    t += 45_000;
    expect(limiter.take('a')).toBeUndefined();
  });

  it('keeps at most maxUsers counters, dropping the longest idle', () => {
    const limiter = createRateLimiter({ perMinute: 1, maxUsers: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c');
    expect(limiter.size()).toBe(2);
    // 'b' was dropped: its count starts again; 'a' was kept and is still limited.
    expect(limiter.take('a')).toEqual({ retryAfterSeconds: 60 });
  });
});
