/** @jsxImportSource hono/jsx */

/** Colours for charts whose series carry no meaning of their own (bar charts). */
export const PALETTE = [
  '#6d5dfc',
  '#16a34a',
  '#dc2626',
  '#d97706',
  '#0891b2',
  '#db2777',
  '#65a30d',
];

/** What a series means, which picks its colour (the stylesheet's --ok, --bad, …). */
export type SeriesTone = 'ok' | 'warn' | 'bad' | 'info' | 'lag' | 'accent' | 'muted';

export type Series = {
  readonly name: string;
  readonly values: readonly number[];
  readonly tone?: SeriesTone;
};

const niceMax = (max: number) => {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (max <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
};

export const formatNumber = (n: number) =>
  Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en') : n.toFixed(1);

const TONES: readonly SeriesTone[] = ['accent', 'info', 'lag', 'warn', 'ok', 'bad', 'muted'];
/** A series' tone: its own, else one by position among those without meaning. */
const toneOf = (series: Series, i: number) => series.tone ?? TONES[i % TONES.length] ?? 'accent';

/** "−5m", "−30s": how long before now `seconds` is. */
const ago = (seconds: number) =>
  seconds >= 120 ? `−${Math.round(seconds / 60)}m` : `−${Math.round(seconds)}s`;

/** Hover targets per chart: each shows every series' value at that time (SVG <title>). */
const HOVER_BANDS = 24;

/**
 * A line chart drawn on the server, newest on the right: a y axis with its scale, an x axis
 * in time before now, one line per series coloured by what it means, and values on hover
 * (no script: a <title> per time band).
 */
export const LineChart = (props: {
  series: readonly Series[];
  /** How many points the x axis spans (older points are off the left edge). */
  points: number;
  /** Seconds between two points. */
  step?: number;
  label: string;
  width?: number;
  height?: number;
  unit?: string;
}) => {
  const width = props.width ?? 320;
  const height = props.height ?? 150;
  const left = 34;
  const top = 8;
  const bottom = height - 18;
  const step = props.step ?? 1;
  const peak = Math.max(0, ...props.series.flatMap((s) => s.values));
  const max = niceMax(peak);
  const span = Math.max(1, props.points - 1);
  const x = (i: number, n: number) => width - ((n - 1 - i) / span) * (width - left);
  const y = (v: number) => bottom - (v / max) * (bottom - top);
  const unit = props.unit ?? '';
  const longest = Math.max(0, ...props.series.map((s) => s.values.length));
  const bandWidth = (width - left) / HOVER_BANDS;
  return (
    <figure class="chart-figure">
      <svg
        class="chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={props.label}
        data-peak={String(peak)}
      >
        {[0, 0.5, 1].map((f) => (
          <>
            <line
              class="grid"
              x1={String(left)}
              x2={String(width)}
              y1={String(y(max * f))}
              y2={String(y(max * f))}
              stroke-dasharray={f === 0 ? undefined : '3 3'}
            />
            <text x={String(left - 4)} y={String(y(max * f) + 4)} text-anchor="end">
              {`${formatNumber(max * f)}${unit}`}
            </text>
          </>
        ))}
        <text x={String(left)} y={String(height - 3)}>
          {ago(span * step)}
        </text>
        <text x={String((left + width) / 2)} y={String(height - 3)} text-anchor="middle">
          {ago((span * step) / 2)}
        </text>
        <text x={String(width)} y={String(height - 3)} text-anchor="end">
          now
        </text>
        {props.series.map((s, i) => (
          <polyline
            fill="none"
            class={`s-${toneOf(s, i)}`}
            stroke="var(--c)"
            stroke-width="1.75"
            stroke-linejoin="round"
            points={s.values
              .map((v, j) => `${x(j, s.values.length).toFixed(1)},${y(v).toFixed(1)}`)
              .join(' ')}
          />
        ))}
        {longest > 0
          ? Array.from({ length: HOVER_BANDS }, (_, b) => {
              // The newest point inside this band, counted back from now.
              const back = Math.round(((HOVER_BANDS - 1 - b) / HOVER_BANDS) * span);
              if (back >= longest) return null;
              const values = props.series
                .map(
                  (s) =>
                    `${s.name} ${formatNumber(s.values[s.values.length - 1 - back] ?? 0)}${unit}`,
                )
                .join(' · ');
              return (
                <rect
                  class="band"
                  x={(left + b * bandWidth).toFixed(1)}
                  y="0"
                  width={bandWidth.toFixed(1)}
                  height={String(bottom)}
                  fill="transparent"
                >
                  <title>{`${back === 0 ? 'now' : ago(back * step)}: ${values}`}</title>
                </rect>
              );
            })
          : null}
      </svg>
      {props.series.length > 0 ? (
        <figcaption class="legend">
          {props.series.map((s, i) => (
            <span class={`s-${toneOf(s, i)}`}>
              <i style="background: var(--c)" />
              {s.name} {formatNumber(s.values.at(-1) ?? 0)}
              {unit}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
};

/**
 * Horizontal bars, one per row, labelled; used for analytics results. Drawn as HTML (a grid
 * of label, bar, value), not a scaled SVG, so the text keeps its size on a phone; a label too
 * long for its column ends in "…" and is whole on hover.
 */
export const BarChart = (props: {
  labels: readonly string[];
  values: readonly number[];
  label: string;
}) => {
  const max = Math.max(0, ...props.values) || 1;
  return (
    <figure class="bars" id="result-chart" aria-label={props.label}>
      {props.values.map((v, i) => {
        const label = props.labels[i] ?? '';
        const share = (Math.max(0, v) / max) * 100;
        return (
          <div class="bar-row">
            <span class="bar-label" dir="auto" title={label}>
              {label}
            </span>
            <span class="bar-track">
              <span class="bar" style={`width: ${share.toFixed(1)}%`} />
            </span>
            {/* As the table shows it, so the two agree. */}
            <span class="bar-value">{String(v)}</span>
          </div>
        );
      })}
    </figure>
  );
};
