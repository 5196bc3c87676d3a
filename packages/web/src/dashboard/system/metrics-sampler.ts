import type { Registry } from 'prom-client';

export type MetricValue = {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
};

/** Every counter and gauge value (and histogram count and sum) at one moment. */
export type Sample = { readonly at: number; readonly values: readonly MetricValue[] };

export type MetricsSamplerOptions = {
  readonly registry: Registry;
  readonly intervalMs?: number;
  /** Samples kept (the charts' window is intervalMs × keep). */
  readonly keep?: number;
  /** Every this many samples one is also kept in the long window (keep of them, too). */
  readonly longEvery?: number;
  /** Runs before each sample, to set gauges that are read on demand (positions, store head). */
  readonly beforeSample?: () => Promise<void> | void;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
};

/**
 * Reads the same prom-client registry `/metrics` serves, every `intervalMs`, and keeps a
 * window of samples for the system page's figures and charts.
 */
export const createMetricsSampler = (options: MetricsSamplerOptions) => {
  const intervalMs = options.intervalMs ?? 1000;
  const keep = options.keep ?? 300;
  const now = options.now ?? Date.now;
  const longEvery = options.longEvery ?? 12;
  const samples: Sample[] = [];
  // The long window: every longEvery-th sample, as many kept (1 s × 12 × 300 = 1 hour).
  const longSamples: Sample[] = [];
  let taken = 0;
  const listeners = new Set<(sample: Sample) => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;

  const sampleNow = async (): Promise<Sample> => {
    await options.beforeSample?.();
    const values: MetricValue[] = [];
    for (const metric of await options.registry.getMetricsAsJSON()) {
      for (const v of metric.values) {
        const name = (v as { metricName?: string }).metricName ?? metric.name;
        // Buckets are too many to keep per second; count and sum carry rate and mean.
        if (name.endsWith('_bucket')) continue;
        const labels: Record<string, string> = {};
        for (const [key, value] of Object.entries(v.labels)) labels[key] = String(value);
        values.push({ name, labels, value: v.value });
      }
    }
    const sample = { at: now(), values };
    samples.push(sample);
    if (samples.length > keep) samples.splice(0, samples.length - keep);
    if (taken++ % longEvery === 0) {
      longSamples.push(sample);
      if (longSamples.length > keep) longSamples.splice(0, longSamples.length - keep);
    }
    for (const listener of listeners) listener(sample);
    return sample;
  };

  return {
    sampleNow,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (busy) return; // a slow beforeSample never stacks samples
        busy = true;
        sampleNow()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            busy = false;
          });
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    samples: (): readonly Sample[] => samples,
    /** The long window: one sample every `intervalMs × longEvery`. */
    longSamples: (): readonly Sample[] => longSamples,
    intervalMs,
    longEvery,
    keep,
    onSample(listener: (sample: Sample) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};

export type MetricsSampler = ReturnType<typeof createMetricsSampler>;

const labelsMatch = (labels: Readonly<Record<string, string>>, where: Record<string, string>) =>
  Object.entries(where).every(([k, v]) => labels[k] === v);

/** Sum of a metric's values whose labels include `where`. */
export const total = (sample: Sample, name: string, where: Record<string, string> = {}) =>
  sample.values.reduce(
    (sum, v) => (v.name === name && labelsMatch(v.labels, where) ? sum + v.value : sum),
    0,
  );

/** The distinct values of `label` a metric has, sorted. */
export const labelValues = (samples: readonly Sample[], name: string, label: string) => {
  const found = new Set<string>();
  for (const sample of samples) {
    for (const v of sample.values) {
      const value = v.labels[label];
      if (v.name === name && value !== undefined) found.add(value);
    }
  }
  return [...found].sort();
};

/** Per-second rate between consecutive samples (a counter reset counts as 0). */
export const rates = (samples: readonly Sample[], pick: (sample: Sample) => number): number[] => {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (!a || !b) continue;
    const seconds = (b.at - a.at) / 1000;
    const delta = pick(b) - pick(a);
    out.push(seconds > 0 && delta > 0 ? delta / seconds : 0);
  }
  return out;
};

export const gauges = (samples: readonly Sample[], pick: (sample: Sample) => number): number[] =>
  samples.map(pick);
