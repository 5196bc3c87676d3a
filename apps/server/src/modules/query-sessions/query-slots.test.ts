import { describe, expect, it } from 'vitest';
import { createQuerySlots } from './query-slots';

describe('query slots', () => {
  it('caps slots in total and per client, and frees them on release (once)', () => {
    const slots = createQuerySlots({ max: 3, perClient: 2 });
    const a1 = slots.acquire('a');
    const a2 = slots.acquire('a');
    expect(slots.acquire('a')).toMatchObject({ type: 'Busy' });
    const b1 = slots.acquire('b');
    expect(slots.acquire('c')).toEqual({
      type: 'Busy',
      message: '3 queries are already running; try again shortly',
    });
    if ('type' in a1 || 'type' in a2 || 'type' in b1) throw new Error('expected slots');
    a1.release();
    a1.release(); // a second release frees nothing more
    expect(slots.inUse()).toBe(2);
    expect('release' in slots.acquire('a')).toBe(true);
    expect(slots.acquire('c')).toMatchObject({ type: 'Busy' });
    a2.release();
    b1.release();
    expect(slots.inUse()).toBe(1);
    expect(slots.clients()).toBe(1);
  });
});
