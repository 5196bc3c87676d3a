import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('the system page', () => {
  it('shows figures and SVG charts from the registry /metrics serves, and moves with commands', async () => {
    const t = await createTestApp();
    close = t.close;
    await t.sampler.sampleNow();
    for (const owner of ['a', 'b', 'c']) await t.command({ type: 'open', owner });
    await t.command({ type: 'checkout', id: '00000000-0000-4000-8000-000000000000' });
    await t.sampler.sampleNow();
    const html = await (await t.app.request('/system')).text();
    expect(html).toContain('<title>System · ironstar</title>');
    expect(html).toContain('<svg class="chart"');
    expect(html).toMatch(/<polyline fill="none"/);
    const commands = html.slice(html.indexOf('id="fig-commands"'));
    // Both outcomes appear in the legend with their latest per-second rate.
    expect(commands).toMatch(/accepted \d/);
    expect(commands).toMatch(/rejected \d/);
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toContain(
      'ironstar_commands_total{aggregate="cart",type="open",outcome="accepted"} 3',
    );

    const res = await t.app.request('/system/feed');
    // Sample again once the feed has sent its first view: it is then listening for samples.
    let sampled = false;
    const feed = await readSse(res, (s) => {
      if (!sampled && s.includes('data-samples="2"')) {
        sampled = true;
        void t.sampler.sampleNow();
      }
      return s.split('id="system-view"').length > 2;
    });
    expect(feed).toContain(
      'event: datastar-merge-fragments\ndata: fragments <section id="system-view" data-samples="2" data-range="5m">',
    );
    expect(feed).toContain('data-samples="3"');
    // Readable at a glance: a y scale, a time axis, values on hover, colours by meaning.
    expect(commands).toContain('<title>now: ');
    expect(commands).toMatch(/class="s-ok"><i [^>]*><\/i>accepted/);
    expect(commands).toMatch(/class="s-warn"><i [^>]*><\/i>rejected/);
    expect(html).toContain('>now</text>');
    expect(html).toContain('commands since start, 1 of them refused or failed');
  });

  it('offers the last hour, sampled less often, and refuses another range', async () => {
    const t = await createTestApp();
    close = t.close;
    await t.sampler.sampleNow();
    const hour = await (await t.app.request('/system?range=1h')).text();
    expect(hour).toContain('data-range="1h"');
    expect(hour).toContain('aria-current="page">last hour');
    expect(hour).toContain('/system/feed?range=1h');
    expect((await t.app.request('/system?range=1y')).status).toBe(400);
    expect((await t.app.request('/system/feed?range=1y')).status).toBe(400);
  });
});
