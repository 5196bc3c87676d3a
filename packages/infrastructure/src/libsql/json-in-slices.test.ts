import { describe, expect, it } from 'vitest';
import { jsonInSlices } from './json-in-slices';

describe('JSON in slices', () => {
  it('is exactly JSON.stringify, for small and large arrays and for anything else', async () => {
    const item = (i: number) => ({ id: `t${i}`, text: `it's <${i}> "quoted"`, done: i % 2 === 0 });
    for (const length of [0, 1, 1999, 2000, 2001, 4000, 10_001]) {
      const items = Array.from({ length }, (_, i) => item(i));
      expect(await jsonInSlices(items)).toBe(JSON.stringify(items));
    }
    const odd = [undefined, null, () => 1, [1, [2]], { a: undefined }, 'x'];
    const many = Array.from({ length: 2500 }, (_, i) => odd[i % odd.length]);
    expect(await jsonInSlices(many)).toBe(JSON.stringify(many));
    expect(await jsonInSlices({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });

  it('lets other work run between slices of a large array', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: `t${i}` }));
    const order: string[] = [];
    const done = jsonInSlices(items).then(() => order.push('stringified'));
    setImmediate(() => order.push('other work'));
    await done;
    expect(order).toEqual(['other work', 'stringified']);
  });
});
