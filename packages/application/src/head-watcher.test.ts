import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeUnavailable } from './event-store';
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

  it('never has two reads in flight, however slow the store', async () => {
    vi.useFakeTimers();
    let reads = 0;
    let answer: (head: number) => void = () => {};
    const watcher = createHeadWatcher({
      store: {
        head: () => {
          reads++;
          return new ResultAsync(
            new Promise<number>((resolve) => {
              answer = resolve;
            }).then((head) => okAsync(head)),
          );
        },
      },
      intervalMs: 10,
    });
    const heard: number[] = [];
    watcher.subscribe((h) => heard.push(h));
    await vi.advanceTimersByTimeAsync(55);
    expect(reads).toBe(1);
    answer(9);
    await vi.advanceTimersByTimeAsync(10);
    expect(heard).toEqual([9]);
    expect(reads).toBe(2);
    watcher.stop();
  });

  it('tells nobody when the store cannot be read, and tries again next time', async () => {
    vi.useFakeTimers();
    let fail = true;
    const watcher = createHeadWatcher({
      store: { head: () => (fail ? errAsync(storeUnavailable('down')) : okAsync(4)) },
      intervalMs: 10,
    });
    const heard: number[] = [];
    watcher.subscribe((h) => heard.push(h));
    await vi.advanceTimersByTimeAsync(30);
    expect(heard).toEqual([]);
    expect(watcher.latest()).toBe(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(10);
    expect(heard).toEqual([4]);
    watcher.stop();
  });

  it('reads nothing more once stopped', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const watcher = createHeadWatcher({
      store: {
        head: () => {
          reads++;
          return okAsync(1);
        },
      },
      intervalMs: 10,
    });
    watcher.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(10);
    expect(reads).toBe(1);
    watcher.stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(reads).toBe(1);
  });
});
