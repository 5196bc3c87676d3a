/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppEnv } from '../../app-env';
import { mergeFragments } from '../../datastar/datastar-wire';
import type { PageShell } from '../../pages/layout';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseTransport } from '../../sse/sse-transport';
import { FEED_OPENED } from '../../ui/live';
import type { MetricsSampler, Sample } from './metrics-sampler';
import { SystemPage, SystemView } from './system-view';

const OPENED = encodeText(FEED_OPENED);

/** `/system`: the page and its feed, one fat morph per sample, rendered once for every client. */
export const systemRoutes = (deps: {
  sampler: MetricsSampler;
  hub: SseHub;
  shell: PageShell;
  compression?: boolean;
}) => {
  let cached: { sample: Sample; bytes: Uint8Array } | undefined;
  const frame = () => {
    const sample = deps.sampler.samples().at(-1);
    if (!sample) return undefined;
    if (cached?.sample !== sample) {
      const view = (
        <SystemView samples={deps.sampler.samples()} intervalMs={deps.sampler.intervalMs} />
      );
      cached = { sample, bytes: encodeText(mergeFragments(String(view))) };
    }
    return cached.bytes;
  };

  return new Hono<AppEnv>()
    .get('/system', (c) =>
      c.html(
        html`<!DOCTYPE html>${(
          <SystemPage
            shell={deps.shell}
            samples={deps.sampler.samples()}
            intervalMs={deps.sampler.intervalMs}
            keep={deps.sampler.keep}
          />
        )}`,
      ),
    )
    .get('/system/feed', (c) =>
      deps.hub.open(
        'system',
        (connection) => {
          const push = () => {
            // A client that has not taken the last frame skips to the next sample.
            if (!connection.writable()) return;
            const bytes = frame();
            if (bytes) connection.send(bytes);
          };
          const unsubscribe = deps.sampler.onSample(push);
          connection.onClose(unsubscribe);
          connection.send(OPENED);
          push();
        },
        sseTransport(c, deps.compression),
      ),
    );
};
