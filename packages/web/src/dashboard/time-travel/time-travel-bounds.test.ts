import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing/test-app';
import { MAX_HISTORY } from './time-travel-view';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('time travel stays bounded', () => {
  it('draws a slice of a long history around the chosen event', async () => {
    const t = await createTestApp();
    close = t.close;
    const { id } = (await (await t.command({ type: 'open', owner: 'v1' })).json()) as {
      id: string;
    };
    let middle = 0;
    for (let i = 2; i <= 400; i++) {
      const res = await t.command({ type: 'add', id, item: `item ${i}` });
      const { sequence } = (await res.json()) as { sequence: number };
      if (i === 200) middle = sequence;
    }
    const html = await (
      await t.app.request(`/time-travel?at=${middle}&aggregateType=ShoppingCart&aggregate=${id}`)
    ).text();
    const history = html.slice(html.indexOf('id="tt-history"'));
    const drawn = [...history.matchAll(/<span class="seq mono">#(\d+)<\/span>/g)].map((m) =>
      Number(m[1]),
    );
    expect(drawn).toHaveLength(MAX_HISTORY);
    expect(drawn).toContain(middle);
    expect(history).toMatch(/<li class="at">.*?#200</);
    expect(html).toContain('earlier events not drawn');
    expect(html).toContain('later events not drawn');
    expect(html.length).toBeLessThan(200_000);
  });
});
