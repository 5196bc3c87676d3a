/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppEnv } from '../../app-env';
import { mergeFragments } from '../../datastar/datastar-wire';
import { errorJson } from '../../http-errors';
import type { PageShell } from '../../pages/layout';
import { pageShell } from '../../pages/layout';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseTransport } from '../../sse/sse-transport';
import { FEED_OPENED } from '../../ui/live';
import type { MetricsSampler, Sample } from './metrics-sampler';
import { SYSTEM_RANGES, SystemPage, type SystemRange, SystemView } from './system-view';

const OPENED = encodeText(FEED_OPENED);

/**
 * `/system[?range=5m|1h]`: the page and its feed, one morph per sample of the range (every
 * second for 5 min, every `longEvery` seconds for the hour), rendered once for every client.
 */
export const systemRoutes = (deps: {
  sampler: MetricsSampler;
  hub: SseHub;
  shell: PageShell;
  compression?: boolean;
}) => {
  const windows: Record<SystemRange, { samples: () => readonly Sample[]; intervalMs: number }> = {
    '5m': { samples: deps.sampler.samples, intervalMs: deps.sampler.intervalMs },
    '1h': {
      samples: deps.sampler.longSamples,
      intervalMs: deps.sampler.intervalMs * deps.sampler.longEvery,
    },
  };
  const cached: Partial<Record<SystemRange, { sample: Sample; bytes: Uint8Array }>> = {};
  const frame = (range: SystemRange) => {
    const { samples, intervalMs } = windows[range];
    const sample = samples().at(-1);
    if (!sample) return undefined;
    const hit = cached[range];
    if (hit?.sample === sample) return hit;
    const view = <SystemView samples={samples()} intervalMs={intervalMs} range={range} />;
    const fresh = { sample, bytes: encodeText(mergeFragments(String(view))) };
    cached[range] = fresh;
    return fresh;
  };
  const rangeOf = (raw: string | undefined): SystemRange | undefined =>
    raw === undefined || raw === '' ? '5m' : SYSTEM_RANGES.find((r) => r === raw);
  const rangeError = `range must be one of ${SYSTEM_RANGES.join(', ')}`;

  return new Hono<AppEnv>()
    .get('/system', (c) => {
      const range = rangeOf(c.req.query('range'));
      if (range === undefined) return errorJson(c, 'validation', rangeError);
      const { samples, intervalMs } = windows[range];
      return c.html(
        html`<!DOCTYPE html>${(
          <SystemPage
            shell={pageShell(c, deps.shell)}
            samples={samples()}
            intervalMs={intervalMs}
            keep={deps.sampler.keep}
            range={range}
          />
        )}`,
      );
    })
    .get('/system/feed', (c) => {
      const range = rangeOf(c.req.query('range'));
      if (range === undefined) return errorJson(c, 'validation', rangeError);
      return deps.hub.open(
        'system',
        (connection) => {
          let sent: Sample | undefined;
          const push = () => {
            // A client that has not taken the last frame skips to the next sample; a range
            // whose newest sample was sent already sends nothing.
            if (!connection.writable()) return;
            const next = frame(range);
            if (!next || next.sample === sent) return;
            sent = next.sample;
            connection.send(next.bytes);
          };
          const unsubscribe = deps.sampler.onSample(push);
          connection.onClose(unsubscribe);
          connection.send(OPENED);
          push();
        },
        sseTransport(c, deps.compression),
      );
    });
};
