import type { StoredEvent } from '@ironstar/application';
import { createInMemoryEventStore } from '@ironstar/application/testing';
import { describe, expect, it } from 'vitest';
import { matches, type OlderPage, parseFilter, readOlder } from './event-filter';

const seed = async (count: number) => {
  const store = createInMemoryEventStore();
  for (let i = 1; i <= count; i++) {
    await store.append({
      aggregateType: i % 10 === 0 ? 'Rare' : 'Todo',
      aggregateId: `a${i}`,
      expectedVersion: 0,
      events: [
        { id: `e${i}`, type: 'TodoCreated', data: {}, metadata: { correlationId: `c${i % 3}` } },
      ],
    });
  }
  return store;
};

const seqs = (events: readonly StoredEvent[]) => events.map((e) => e.globalSequence);

describe('event log filters', () => {
  it('pages backwards, newest first, without gaps or repeats', async () => {
    const store = await seed(120);
    const all: number[] = [];
    let before: number | null = 121;
    while (before !== null) {
      const page: OlderPage = (
        await readOlder(store, { before, filter: {}, want: 50 })
      )._unsafeUnwrap();
      all.push(...seqs(page.events));
      before = page.events.length === 0 && page.nextBefore === null ? null : page.nextBefore;
    }
    expect(all).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
  });

  it('finds sparse matches within its budget and says where to go on', async () => {
    const store = await seed(1000);
    const filter = { aggregateType: 'Rare' };
    const first = (
      await readOlder(store, { before: 1001, filter, want: 5, budget: 200, chunk: 100 })
    )._unsafeUnwrap();
    expect(seqs(first.events)).toEqual([1000, 990, 980, 970, 960]);
    expect(first.nextBefore).toBe(960);
    // A budget smaller than the distance to the next match: nothing yet, but a place to resume.
    const thin = (
      await readOlder(store, {
        before: 1000,
        filter: { eventId: 'e5' },
        want: 5,
        budget: 200,
        chunk: 100,
      })
    )._unsafeUnwrap();
    expect(thin).toEqual({ events: [], nextBefore: 800 });
    const end = (
      await readOlder(store, { before: 50, filter: { eventId: 'e5' }, want: 5 })
    )._unsafeUnwrap();
    expect(seqs(end.events)).toEqual([5]);
    expect(end.nextBefore).toBeNull();
  });

  it('matches every field that is set, and refuses overlong values', async () => {
    const store = await seed(3);
    const [e1] = (await store.readAll({ after: 0, limit: 1 }))._unsafeUnwrap();
    if (!e1) throw new Error('seeded');
    expect(matches({ aggregateType: 'Todo', correlationId: 'c1' }, e1)).toBe(true);
    expect(matches({ aggregateType: 'Todo', correlationId: 'c2' }, e1)).toBe(false);
    // Ids by prefix, as the short id a row shows (with or without its …); types by any part.
    expect(matches({ aggregateId: 'A…' }, e1)).toBe(true);
    expect(matches({ aggregateId: '1' }, e1)).toBe(false);
    expect(matches({ eventType: 'created' }, e1)).toBe(true);
    expect(matches({ eventType: 'Renamed' }, e1)).toBe(false);
    expect(matches({ aggregateType: 'od' }, e1)).toBe(true);
    const params = new Map([
      ['aggregateType', ' Todo '],
      ['eventType', ''],
    ]);
    expect(parseFilter((k) => params.get(k))._unsafeUnwrap()).toEqual({ aggregateType: 'Todo' });
    expect(parseFilter(() => 'x'.repeat(201)).isErr()).toBe(true);
  });
});
