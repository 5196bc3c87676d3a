/** @jsxImportSource hono/jsx */
import { Layout, LiveFeed, type PageShell } from '../../pages/layout';
import { EmptyState, Stat, Table } from '../../ui/components';
import { formatNumber, LineChart, type Series, type SeriesTone } from '../svg-chart';
import { gauges, labelValues, rates, type Sample, total } from './metrics-sampler';

export const SYSTEM_PAGE = '/system';

// Metrics with a chart of their own; every other ironstar_* counter or gauge is listed below them.
const CHARTED = new Set([
  'ironstar_events_appended_total',
  'ironstar_commands_total',
  'ironstar_command_duration_seconds_count',
  'ironstar_command_duration_seconds_sum',
  'ironstar_sse_connections',
  'ironstar_projection_position',
  'ironstar_event_store_head',
  'ironstar_analytics_queries_total',
]);

/** A figure with its chart of the last minutes. */
const ChartCard = (props: {
  id: string;
  title: string;
  figure: string;
  series: readonly Series[];
  points: number;
  step: number;
  label: string;
  unit?: string;
}) => (
  <Stat id={props.id} title={props.title} figure={props.figure}>
    <LineChart
      series={props.series}
      points={props.points}
      step={props.step}
      label={props.label}
      {...(props.unit === undefined ? {} : { unit: props.unit })}
    />
  </Stat>
);

/** The time ranges the page offers: `?range=` of the page and its feed. */
export const SYSTEM_RANGES = ['5m', '1h'] as const;
export type SystemRange = (typeof SYSTEM_RANGES)[number];

// An outcome's colour says what it means: done, refused by the rules, or failed.
const OUTCOME_TONE: Readonly<Record<string, SeriesTone>> = {
  accepted: 'ok',
  replayed: 'info',
  completed: 'ok',
  invalid: 'warn',
  rejected: 'warn',
  refused: 'warn',
  conflict: 'warn',
  precondition_failed: 'warn',
  failed: 'bad',
  unavailable: 'bad',
  timeout: 'bad',
  error: 'bad',
};

const byLabel = (samples: readonly Sample[], name: string, label: string, kind: 'rate' | 'gauge') =>
  labelValues(samples, name, label).map((value): Series => {
    const pick = (s: Sample) => total(s, name, { [label]: value });
    const tone = OUTCOME_TONE[value];
    return {
      name: value,
      values: kind === 'rate' ? rates(samples, pick) : gauges(samples, pick),
      ...(label === 'outcome' ? { tone: tone ?? 'muted' } : {}),
    };
  });

// Counters charted per second, one line per outcome; the figure is their sum.
const BY_OUTCOME = {
  commands: ['ironstar_commands_total', 'commands / s by outcome', 'commands'],
  queries: ['ironstar_analytics_queries_total', 'analytics queries / s', 'analytics queries'],
} as const;

const RatesByOutcome = (props: {
  of: keyof typeof BY_OUTCOME;
  samples: readonly Sample[];
  points: number;
  step: number;
}) => {
  const [metric, title, noun] = BY_OUTCOME[props.of];
  const series = byLabel(props.samples, metric, 'outcome', 'rate');
  const latest = series.reduce((n, s) => n + (s.values.at(-1) ?? 0), 0);
  return (
    <ChartCard
      id={`fig-${props.of}`}
      title={title}
      figure={formatNumber(latest)}
      series={series}
      points={props.points}
      step={props.step}
      label={`${noun} per second by outcome`}
    />
  );
};

const key = (name: string, labels: Readonly<Record<string, string>>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
};

/** The live region: figures and charts from the sampler's window (`step` seconds apart). */
export const SystemView = (props: {
  samples: readonly Sample[];
  intervalMs: number;
  range?: SystemRange;
}) => {
  const { samples } = props;
  const last = samples.at(-1);
  const range = props.range ?? '5m';
  if (!last) {
    return (
      <section id="system-view" data-range={range}>
        <EmptyState>Collecting the first sample…</EmptyState>
      </section>
    );
  }
  const points = samples.length;
  const step = props.intervalMs / 1000;
  const eventRate = rates(samples, (s) => total(s, 'ironstar_events_appended_total'));
  const feeds = byLabel(samples, 'ironstar_sse_connections', 'feed', 'gauge');
  const head = total(last, 'ironstar_event_store_head');
  const projections = labelValues(samples, 'ironstar_projection_position', 'projection');
  const lag = projections.map(
    (p): Series => ({
      name: p,
      values: gauges(samples, (s) =>
        Math.max(
          0,
          total(s, 'ironstar_event_store_head') -
            total(s, 'ironstar_projection_position', { projection: p }),
        ),
      ),
    }),
  );
  const durationCount = total(last, 'ironstar_command_duration_seconds_count');
  const meanMs =
    durationCount > 0
      ? (total(last, 'ironstar_command_duration_seconds_sum') / durationCount) * 1000
      : 0;
  // Every command answered, refusals and failures included, and those that were not accepted.
  const commands = total(last, 'ironstar_commands_total');
  const notAccepted =
    commands -
    total(last, 'ironstar_commands_total', { outcome: 'accepted' }) -
    total(last, 'ironstar_commands_total', { outcome: 'replayed' });
  const memory = gauges(
    samples,
    (s) => total(s, 'ironstar_process_resident_memory_bytes') / 2 ** 20,
  );
  const loopLag = gauges(samples, (s) => total(s, 'ironstar_nodejs_eventloop_lag_seconds') * 1000);
  const cpu = rates(samples, (s) => total(s, 'ironstar_process_cpu_seconds_total') * 100);
  const others = last.values.filter(
    (v) =>
      v.name.startsWith('ironstar_') &&
      !CHARTED.has(v.name) &&
      !v.name.startsWith('ironstar_process_') &&
      !v.name.startsWith('ironstar_nodejs_'),
  );

  return (
    <section id="system-view" data-samples={String(points)} data-range={range}>
      <div class="cards">
        <ChartCard
          id="fig-events"
          title="events appended / s"
          figure={formatNumber(eventRate.at(-1) ?? 0)}
          series={[{ name: 'events/s', values: eventRate, tone: 'accent' }]}
          points={points}
          step={step}
          label="events per second"
        />
        <RatesByOutcome of="commands" samples={samples} points={points} step={step} />
        <ChartCard
          id="fig-feeds"
          title="open SSE feeds"
          figure={formatNumber(total(last, 'ironstar_sse_connections'))}
          series={feeds}
          points={points}
          step={step}
          label="open feeds by feed"
        />
        <ChartCard
          id="fig-lag"
          title={`projection lag, events (head #${formatNumber(head)})`}
          figure={formatNumber(Math.max(0, ...lag.map((s) => s.values.at(-1) ?? 0)))}
          series={lag}
          points={points}
          step={step}
          label="events each projection is behind the store"
        />
        <RatesByOutcome of="queries" samples={samples} points={points} step={step} />
        <Stat id="fig-latency" title="mean command time" figure={`${meanMs.toFixed(2)} ms`}>
          <p class="muted small" id="commands-since-start">
            {formatNumber(commands)} commands since start
            {notAccepted > 0 ? `, ${formatNumber(notAccepted)} of them refused or failed` : ''}
          </p>
        </Stat>
        <ChartCard
          id="fig-memory"
          title="resident memory"
          figure={`${formatNumber(memory.at(-1) ?? 0)} MiB`}
          series={[{ name: 'memory', values: memory, tone: 'info' }]}
          points={points}
          step={step}
          unit=" MiB"
          label="resident memory"
        />
        <ChartCard
          id="fig-cpu"
          title="CPU / event-loop lag"
          figure={`${formatNumber(cpu.at(-1) ?? 0)} % · ${(loopLag.at(-1) ?? 0).toFixed(1)} ms`}
          series={[
            { name: 'CPU %', values: cpu, tone: 'accent' },
            { name: 'loop lag ms', values: loopLag, tone: 'warn' },
          ]}
          points={points}
          step={step}
          label="CPU percent and event loop lag"
        />
      </div>
      <h2 style="margin-top: 1.5rem">Other figures</h2>
      <p class="muted small">
        Every other ironstar counter and gauge (bus traffic, subscribers that fell behind, …), as
        <a href="/metrics"> /metrics</a> reports it; counters also per second.
      </p>
      {others.length === 0 ? (
        <EmptyState id="other-metrics">none yet</EmptyState>
      ) : (
        <Table
          id="other-metrics"
          head={['metric', 'value', 'per second']}
          numeric={[1, 2]}
          rows={others.map((v) => {
            const rate = v.name.endsWith('_total')
              ? rates(samples.slice(-2), (s) => total(s, v.name, v.labels)).at(-1)
              : undefined;
            return [
              <span class="mono">{key(v.name, v.labels)}</span>,
              formatNumber(v.value),
              rate === undefined ? '' : formatNumber(rate),
            ];
          })}
        />
      )}
    </section>
  );
};

/** The page's URL for a range; the default needs no query. */
export const systemUrl = (path: string, range: SystemRange) =>
  range === '5m' ? path : `${path}?range=${range}`;

export const SystemPage = (props: {
  shell: PageShell;
  samples: readonly Sample[];
  intervalMs: number;
  keep: number;
  range: SystemRange;
}) => (
  <Layout title="System" shell={props.shell} path={SYSTEM_PAGE} wide>
    <LiveFeed id="system-feed" url={systemUrl(`${SYSTEM_PAGE}/feed`, props.range)} />
    <h1>
      System
      <nav class="range" aria-label="Time range">
        {SYSTEM_RANGES.map((r) => (
          <a
            id={`range-${r}`}
            href={systemUrl(SYSTEM_PAGE, r)}
            aria-current={r === props.range ? 'page' : undefined}
          >
            {r === '5m' ? 'last 5 min' : 'last hour'}
          </a>
        ))}
      </nav>
    </h1>
    <p class="lead">
      Sampled every {props.intervalMs / 1000} s from the same registry{' '}
      <a href="/metrics">/metrics</a> exposes; the charts span the last{' '}
      {Math.round((props.keep * props.intervalMs) / 60_000)} minutes. Point at a chart for its
      values at that time.
    </p>
    <SystemView samples={props.samples} intervalMs={props.intervalMs} range={props.range} />
  </Layout>
);
