import { okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createHeadWatcher } from './head-watcher';

describe('head watcher', () => {
  it('reads the head once per interval for all listeners, and not at all without any', async () => {
    let reads = 0;
    let head = 3;
    const watcher = createHeadWatcher({
      store: { head: () => okAsync(++reads && head) },
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 35));
    expect(reads).toBe(0);
    const a: number[] = [];
    const b: number[] = [];
    const stopA = watcher.subscribe((h) => a.push(h));
    watcher.subscribe((h) => b.push(h));
    await new Promise((r) => setTimeout(r, 25));
    head = 7;
    await new Promise((r) => setTimeout(r, 25));
    stopA();
    watcher.stop();
    expect(a.length).toBeGreaterThanOrEqual(2);
    expect(a).toEqual(b.slice(0, a.length));
    expect(a.at(-1)).toBe(7);
    expect(reads).toBe(b.length);
    expect(watcher.latest()).toBe(7);
  });
});
