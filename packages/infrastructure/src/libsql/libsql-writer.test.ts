import { describe, expect, it } from 'vitest';
import { filePathOf } from './libsql-writer';

describe('the file path of a file: URL', () => {
  it('reads relative, absolute and authority forms as @libsql/client does', () => {
    expect(filePathOf('file:./data/ironstar.db')).toBe('./data/ironstar.db');
    expect(filePathOf('file:data.db')).toBe('data.db');
    expect(filePathOf('file:/tmp/x/events.db')).toBe('/tmp/x/events.db');
    expect(filePathOf('file:///tmp/x/events.db')).toBe('/tmp/x/events.db');
    expect(filePathOf('file://localhost/tmp/events.db')).toBe('/tmp/events.db');
    expect(filePathOf('file:/tmp/with%20space.db?mode=rwc')).toBe('/tmp/with space.db');
  });

  it('refuses a host, which would be a relative path in disguise', () => {
    expect(() => filePathOf('file://server/events.db')).toThrow(/invalid host/);
  });
});
