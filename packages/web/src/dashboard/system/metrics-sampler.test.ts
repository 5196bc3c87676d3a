import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetricsSampler, gauges, labelValues, rates, total } from './metrics-sampler';

describe('metrics sampler', () => {
  it('samples the registry and derives rates and gauges from it', async () => {
    const registry = new Registry();
    const commands = new Counter({
      name: 'cmd_total',
      help: 'h',
      labelNames: ['outcome'],
      registers: [registry],
    });
    const open = new Gauge({ name: 'open', help: 'h', registers: [registry] });
    let t = 0;
    let before = 0;
    const sampler = createMetricsSampler({
      registry,
      keep: 3,
      now: () => t,
      beforeSample: () => {
        before++;
      },
    });
    await sampler.sampleNow();
    commands.inc({ outcome: 'accepted' }, 10);
    commands.inc({ outcome: 'rejected' }, 2);
    open.set(3);
    t = 2000;
    await sampler.sampleNow();
    commands.inc({ outcome: 'accepted' }, 4);
    t = 3000;
    const last = await sampler.sampleNow();
    expect(before).toBe(3);
    expect(total(last, 'cmd_total')).toBe(16);
    expect(total(last, 'cmd_total', { outcome: 'rejected' })).toBe(2);
    const samples = sampler.samples();
    expect(rates(samples, (s) => total(s, 'cmd_total'))).toEqual([6, 4]);
    expect(gauges(samples, (s) => total(s, 'open'))).toEqual([0, 3, 3]);
    expect(labelValues(samples, 'cmd_total', 'outcome')).toEqual(['accepted', 'rejected']);
    t = 4000;
    await sampler.sampleNow();
    expect(sampler.samples()).toHaveLength(3); // the window is bounded
  });
});
