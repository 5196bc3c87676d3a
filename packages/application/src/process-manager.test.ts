import { isUuid } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import { deriveId, processStreamType } from './process-manager';

describe('deriveId', () => {
  it('is a v5 UUID, the same for the same seed and key', () => {
    const id = deriveId('e1', 'payment');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('5');
    expect('89ab').toContain(id[19]);
    expect(deriveId('e1', 'payment')).toBe(id);
  });

  it('differs when the seed or the key differs, however they are split', () => {
    const ids = new Set([
      deriveId('e1', 'payment'),
      deriveId('e2', 'payment'),
      deriveId('e1', 'shipment'),
      deriveId('a:b', 'c'),
      deriveId('a', 'b:c'),
      deriveId('a|b', 'c'),
      deriveId('a', 'b|c'),
    ]);
    expect(ids.size).toBe(7);
  });

  it('names the stream of a manager', () => {
    expect(processStreamType('order-fulfilment')).toBe('Process:order-fulfilment');
  });
});
