import { errAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { type EventStore, readAllPages, StoreReadError, storeUnavailable } from './event-store';
import { createInMemoryEventStore } from './testing/in-memory-event-store';

const storeWith = async (count: number) => {
  const store = createInMemoryEventStore();
  for (let i = 1; i <= count; i++) {
    await store.append({
      aggregateType: 'T',
      aggregateId: `a${i}`,
      expectedVersion: 0,
      events: [{ id: `e${i}`, type: 'E', data: {} }],
    });
  }
  const reads: number[] = [];
  const counted: Pick<EventStore, 'readAll'> = {
    readAll: (options) => {
      reads.push(options.after);
      return store.readAll(options);
    },
  };
  return { counted, reads };
};

const pagesOf = async (store: Pick<EventStore, 'readAll'>, pageSize: number) => {
  const pages: number[][] = [];
  for await (const page of readAllPages(store, { pageSize })) {
    pages.push(page.map((e) => e.globalSequence));
  }
  return pages;
};

describe('storeUnavailable', () => {
  it('keeps the cause only when there is one', () => {
    expect(storeUnavailable('down')).toStrictEqual({ type: 'StoreUnavailable', message: 'down' });
    const cause = new Error('EIO');
    expect(storeUnavailable('down', cause)).toStrictEqual({
      type: 'StoreUnavailable',
      message: 'down',
      cause,
    });
  });
});

describe('readAllPages', () => {
  it('stops after a short page without another read', async () => {
    const { counted, reads } = await storeWith(6);
    expect(await pagesOf(counted, 4)).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(reads).toEqual([0, 4]);
  });

  it('yields nothing, not an empty page, for an empty store', async () => {
    const { counted, reads } = await storeWith(0);
    expect(await pagesOf(counted, 4)).toEqual([]);
    expect(reads).toEqual([0]);
  });

  it('reads once more after a full last page, and yields no empty page', async () => {
    const { counted, reads } = await storeWith(4);
    expect(await pagesOf(counted, 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(reads).toEqual([0, 2, 4]);
  });

  it('throws StoreReadError, carrying the StoreUnavailable, when a read fails', async () => {
    const down = { readAll: () => errAsync(storeUnavailable('disk on fire')) };
    const failure = await pagesOf(down, 10).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreReadError);
    expect(failure).toMatchObject({
      name: 'StoreReadError',
      message: 'disk on fire',
      error: { type: 'StoreUnavailable', message: 'disk on fire' },
    });
  });
});
