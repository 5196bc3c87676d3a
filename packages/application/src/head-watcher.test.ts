import { okAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHeadWatcher } from './head-watcher';

afterEach(() => {
  vi.useRealTimers();
});

describe('head watcher', () => {
  it('reads the head once per interval for all listeners, and not at all without any', async () => {
    vi.useFakeTimers();
    let reads = 0;
    let head = 3;
    const watcher = createHeadWatcher({
      store: {
        head: () => {
          reads++;
          return okAsync(head);
        },
      },
      intervalMs: 10,
    });
    await vi.advanceTimersByTimeAsync(30);
    expect(reads).toBe(0);
    const a: number[] = [];
    const b: number[] = [];
    const stopA = watcher.subscribe((h) => a.push(h));
    watcher.subscribe((h) => b.push(h));
    await vi.advanceTimersByTimeAsync(20);
    head = 7;
    await vi.advanceTimersByTimeAsync(10);
    stopA();
    await vi.advanceTimersByTimeAsync(10);
    watcher.stop();
    expect(a).toEqual([3, 3, 7]);
    expect(b).toEqual([3, 3, 7, 7]);
    expect(reads).toBe(4);
    expect(watcher.latest()).toBe(7);
  });
});
