import type { QueryResult } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { createQueryCache } from './query-cache';

const result = (n: number, bytes = 5): QueryResult => ({
  columns: [{ name: 'n', type: 'BIGINT' }],
  rows: [[n]],
  truncated: false,
  truncatedBy: null,
  bytes,
  position: n,
});

const setup = (maxBytes?: number) => {
  let t = 0;
  const cache = createQueryCache({
    ttlMs: 1000,
    maxEntries: 3,
    now: () => t,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
  const put = (sql: string, n: number, dependsOn: 'all' | string[] = 'all', bytes = 5) =>
    cache.set(sql, result(n, bytes), dependsOn, cache.generation(dependsOn));
  const advance = (ms: number) => {
    t += ms;
  };
  return { cache, put, advance };
};

describe('query result cache', () => {
  it('serves a result until its TTL runs out', () => {
    const { cache, put, advance } = setup();
    put('q', 1);
    advance(999);
    expect(cache.get('q')).toEqual(result(1));
    advance(1);
    expect(cache.get('q')).toBeUndefined();
  });

  it('drops a result that depends on all events when any event is applied', () => {
    const { cache, put } = setup();
    put('q', 1);
    expect(cache.invalidate(['QuerySession'])).toBe(1);
    expect(cache.get('q')).toBeUndefined();
  });

  it('drops only the results that depend on the aggregate type applied', () => {
    const { cache, put } = setup();
    put('todos', 1, ['Todo']);
    put('sessions', 2, ['QuerySession']);
    put('everything', 3);
    cache.invalidate(['QuerySession']);
    expect(cache.get('todos')).toEqual(result(1));
    expect(cache.get('sessions')).toBeUndefined();
    expect(cache.get('everything')).toBeUndefined();
    cache.invalidate(['Todo']);
    expect(cache.get('todos')).toBeUndefined();
  });

  it('refuses to store a result computed while a dependency changed', () => {
    const { cache } = setup();
    const generation = cache.generation(['Todo']);
    cache.invalidate(['QuerySession']); // unrelated: still storable
    expect(cache.set('todos', result(1), ['Todo'], generation)).toBe(true);
    const before = cache.generation(['Todo']);
    cache.invalidate(['Todo']); // an event applied while the query ran
    expect(cache.set('todos', result(2), ['Todo'], before)).toBe(false);
    expect(cache.get('todos')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    const { cache, put } = setup();
    put('a', 1);
    put('b', 2);
    put('c', 3);
    cache.get('a');
    put('d', 4);
    expect(cache.size()).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(result(1));
  });

  it('holds at most maxBytes of rows, dropping the least recently used, and never one larger', () => {
    const { cache, put } = setup(1000);
    expect(put('a', 1, 'all', 400)).toBe(true);
    expect(put('b', 2, 'all', 400)).toBe(true);
    cache.get('a');
    expect(put('c', 3, 'all', 400)).toBe(true);
    expect(cache.bytes()).toBe(800);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.position).toBe(1);
    expect(put('huge', 4, 'all', 1001)).toBe(false);
    expect(cache.get('huge')).toBeUndefined();
    cache.invalidate(['Todo']);
    expect(cache.bytes()).toBe(0);
    expect(cache.size()).toBe(0);
  });
});
