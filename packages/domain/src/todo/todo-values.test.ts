import { describe, expect, it } from 'vitest';
import { TodoId } from './todo-id';
import { TodoText } from './todo-text';

describe('TodoId', () => {
  it('accepts a UUID and lower-cases it', () => {
    expect(TodoId.parse('0B3C8A52-7F51-4D0E-9C1A-2F6F1D9B8E11')._unsafeUnwrap()).toBe(
      '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11',
    );
  });
  it.each([undefined, 42, '', 'not-a-uuid', '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11x'])(
    'refuses %j',
    (raw) => {
      expect(TodoId.parse(raw)._unsafeUnwrapErr()).toMatchObject({ field: 'id' });
    },
  );
});

describe('TodoText', () => {
  it('trims', () => expect(TodoText.parse('  milk  ')._unsafeUnwrap()).toBe('milk'));
  it('keeps hostile markup as plain text (escaping is the renderer’s job)', () =>
    expect(TodoText.parse('<img src=x onerror=alert(1)>').isOk()).toBe(true));
  it('accepts exactly 500 characters, counted as code points', () => {
    expect(TodoText.parse('a'.repeat(500)).isOk()).toBe(true);
    expect(TodoText.parse('😀'.repeat(500)).isOk()).toBe(true);
  });
  it.each([['   '], [''], ['a'.repeat(501)], [null], [{}], ['line\nbreak'], ['tab\there']])(
    'refuses %j',
    (raw) => {
      expect(TodoText.parse(raw)._unsafeUnwrapErr()).toMatchObject({ field: 'text' });
    },
  );
});
