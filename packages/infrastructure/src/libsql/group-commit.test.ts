import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit';

describe('group commit', () => {
  it('writes requests that arrive together in one batch, answering each in order', async () => {
    const batches: number[][] = [];
    const gc = createGroupCommit<number, string>({
      maxBatch: 100,
      runBatch: async (requests) => {
        batches.push([...requests]);
        return requests.map((r) => `ok ${r}`);
      },
      onFailure: async () => 'failed',
    });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => gc.submit(n)));
    expect(answers).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5']);
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(gc.stats).toEqual({ requests: 5, batches: 1 });
  });

  it('splits at maxBatch and batches what arrives during a write', async () => {
    const batches: number[][] = [];
    // The first write is held open until the test says so; it says when it has begun.
    let began: () => void = () => {};
    const firstBegan = new Promise<void>((resolve) => {
      began = resolve;
    });
    let finish: () => void = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const gc = createGroupCommit<number, number>({
      maxBatch: 2,
      runBatch: async (requests) => {
        batches.push([...requests]);
        if (batches.length === 1) {
          began();
          await firstHeld;
        }
        return requests;
      },
      onFailure: async () => -1,
    });
    const first = Promise.all([1, 2, 3].map((n) => gc.submit(n)));
    await firstBegan;
    const later = Promise.all([4, 5].map((n) => gc.submit(n)));
    expect(batches).toEqual([[1, 2]]);
    finish();
    expect(await first).toEqual([1, 2, 3]);
    expect(await later).toEqual([4, 5]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('retries a failed batch one request at a time, so only the bad one fails', async () => {
    const gc = createGroupCommit<number, string>({
      maxBatch: 10,
      runBatch: async (requests) => {
        if (requests.includes(13)) throw new Error('unlucky');
        return requests.map(String);
      },
      onFailure: async (request, error) => `${request}: ${(error as Error).message}`,
    });
    const answers = await Promise.all([11, 12, 13, 14].map((n) => gc.submit(n)));
    expect(answers).toEqual(['11', '12', '13: unlucky', '14']);
  });
});
