import type { QueryResult } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { createKeptResults } from './kept-results';

const result = (bytes: number): QueryResult => ({
  columns: [],
  rows: [],
  truncated: false,
  truncatedBy: null,
  bytes,
  position: 0,
});

describe('kept query results', () => {
  it('keeps at most maxEntries results, dropping the oldest', () => {
    const kept = createKeptResults({ maxEntries: 2, maxBytes: 1000 });
    kept.keep('a', result(1));
    kept.keep('b', result(1));
    kept.keep('c', result(1));
    expect(kept.get('a')).toBeUndefined();
    expect(kept.size()).toBe(2);
  });

  it('keeps at most maxBytes in total, and never a result larger than that', () => {
    const kept = createKeptResults({ maxEntries: 50, maxBytes: 1000 });
    kept.keep('a', result(600));
    kept.keep('b', result(300));
    kept.keep('c', result(300));
    expect(kept.get('a')).toBeUndefined();
    expect(kept.bytes()).toBe(600);
    expect(kept.keep('huge', result(1001))).toBe(false);
    expect(kept.get('huge')).toBeUndefined();
    expect(kept.bytes()).toBe(600);
    // Keeping the same id again replaces it rather than counting it twice.
    kept.keep('b', result(100));
    expect(kept.bytes()).toBe(400);
  });
});
