import { describe, expect, it } from 'vitest';
import { isUuid } from './uuid';

describe('isUuid', () => {
  it('accepts a canonical UUID in either case', () => {
    expect(isUuid('0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11')).toBe(true);
    expect(isUuid('0B3C8A52-7F51-4D0E-9C1A-2F6F1D9B8E11')).toBe(true);
  });
  it.each([
    undefined,
    42,
    '',
    'x',
    '0b3c8a527f514d0e9c1a2f6f1d9b8e11',
    '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11 ',
    "0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e1'",
  ])('refuses %j', (raw) => expect(isUuid(raw)).toBe(false));
  it('refuses a non-string that reads as a UUID', () => {
    const lookalike = { toString: () => '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11' };
    expect(isUuid(lookalike)).toBe(false);
    expect(isUuid(['0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11'])).toBe(false);
  });
});
