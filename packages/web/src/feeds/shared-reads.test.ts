import type { StoredEvent } from '@ironstar/application';
import { okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createSharedReads } from './shared-reads';

const fakeStore = (head: number) => {
  const calls: string[] = [];
  let current = head;
  const event = (n: number) => ({ globalSequence: n }) as StoredEvent;
  return {
    calls,
    grow: (to: number) => {
      current = to;
    },
    store: {
      readAll: ({ after, limit }: { after: number; limit: number }) => {
        calls.push(`readAll ${after} ${limit}`);
        const events = [];
        for (let n = after + 1; n <= Math.min(current, after + limit); n++) events.push(event(n));
        return okAsync(events);
      },
      head: () => {
        calls.push('head');
        return okAsync(current);
      },
    },
  };
};

describe('shared reads', () => {
  it('reads a page once for every reader asking at the same time, with the same events', async () => {
    const fake = fakeStore(10);
    const reads = createSharedReads(fake.store);
    const pages = await Promise.all(
      Array.from({ length: 50 }, () => reads.readAll({ after: 0, limit: 5 })),
    );
    expect(fake.calls).toEqual(['readAll 0 5']);
    expect(pages.every((p) => p._unsafeUnwrap()[0] === pages[0]?._unsafeUnwrap()[0])).toBe(true);
    await Promise.all(Array.from({ length: 50 }, () => reads.head()));
    expect(fake.calls).toEqual(['readAll 0 5', 'head']);
  });

  it('keeps full pages for later readers, at most maxPages of them', async () => {
    const fake = fakeStore(100);
    const reads = createSharedReads(fake.store, { maxPages: 2 });
    await reads.readAll({ after: 0, limit: 10 });
    await reads.readAll({ after: 0, limit: 10 });
    expect(fake.calls).toHaveLength(1);
    await reads.readAll({ after: 10, limit: 10 });
    await reads.readAll({ after: 20, limit: 10 });
    await reads.readAll({ after: 0, limit: 10 }); // evicted by the two after it
    expect(fake.calls).toHaveLength(4);
  });

  it('serves a page that reached the head only briefly, and not once the head moved', async () => {
    let clock = 0;
    const fake = fakeStore(3);
    const reads = createSharedReads(fake.store, { tailTtlMs: 100, now: () => clock });
    await reads.readAll({ after: 0, limit: 10 });
    clock = 50;
    expect((await reads.readAll({ after: 0, limit: 10 }))._unsafeUnwrap()).toHaveLength(3);
    expect(fake.calls).toHaveLength(1);
    fake.grow(4);
    reads.headMoved(4);
    expect((await reads.readAll({ after: 0, limit: 10 }))._unsafeUnwrap()).toHaveLength(4);
    clock = 200;
    fake.grow(5);
    expect((await reads.readAll({ after: 0, limit: 10 }))._unsafeUnwrap()).toHaveLength(5);
    expect(fake.calls).toHaveLength(3);
  });
});
