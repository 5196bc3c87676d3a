/** @jsxImportSource hono/jsx */

export const PALETTE = [
  '#6d5dfc',
  '#16a34a',
  '#dc2626',
  '#d97706',
  '#0891b2',
  '#db2777',
  '#65a30d',
];

export type Series = { readonly name: string; readonly values: readonly number[] };

const niceMax = (max: number) => {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (max <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
};

export const formatNumber = (n: number) =>
  Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en') : n.toFixed(1);

/** A small line chart drawn on the server: one polyline per series, newest on the right. */
/** A horizontal rule across the chart (the axis, the top of the scale). */
const Rule = (props: { width: number; y: number; opacity: string }) => (
  <line
    x1="0"
    x2={String(props.width)}
    y1={String(props.y)}
    y2={String(props.y)}
    stroke="currentColor"
    stroke-opacity={props.opacity}
  />
);

export const LineChart = (props: {
  series: readonly Series[];
  /** How many points the x axis spans (older points are off the left edge). */
  points: number;
  label: string;
  width?: number;
  height?: number;
  unit?: string;
}) => {
  const width = props.width ?? 320;
  const height = props.height ?? 90;
  const top = 10;
  const bottom = height - 14;
  const peak = Math.max(0, ...props.series.flatMap((s) => s.values));
  const max = niceMax(peak);
  const x = (i: number, n: number) => width - ((n - 1 - i) / Math.max(1, props.points - 1)) * width;
  const y = (v: number) => bottom - (v / max) * (bottom - top);
  return (
    <figure style="margin: 0">
      <svg
        class="chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={props.label}
        data-peak={String(peak)}
      >
        <Rule width={width} y={bottom} opacity=".2" />
        <Rule width={width} y={top} opacity=".08" />
        <text x="2" y={String(top - 2)}>
          {`${formatNumber(max)}${props.unit ?? ''}`}
        </text>
        <text x="2" y={String(height - 2)}>
          −{Math.round(props.points)}s
        </text>
        <text x={String(width - 2)} y={String(height - 2)} text-anchor="end">
          now
        </text>
        {props.series.map((s, i) => (
          <polyline
            fill="none"
            stroke={PALETTE[i % PALETTE.length]}
            stroke-width="1.5"
            stroke-linejoin="round"
            points={s.values
              .map((v, j) => `${x(j, s.values.length).toFixed(1)},${y(v).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      {props.series.length > 0 ? (
        <figcaption class="legend">
          {props.series.map((s, i) => (
            <span>
              <i style={`background: ${PALETTE[i % PALETTE.length]}`} />
              {s.name} {formatNumber(s.values.at(-1) ?? 0)}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
};

/** Horizontal bars, one per row, labelled; used for analytics results. */
export const BarChart = (props: {
  labels: readonly string[];
  values: readonly number[];
  label: string;
  width?: number;
}) => {
  const width = props.width ?? 640;
  const rowHeight = 16;
  const labelWidth = 200;
  const height = props.values.length * rowHeight + 4;
  const max = Math.max(0, ...props.values) || 1;
  return (
    <svg
      class="chart"
      id="result-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={props.label}
    >
      {props.values.map((v, i) => {
        const w = Math.max(0, (v / max) * (width - labelWidth - 60));
        const yy = i * rowHeight + 2;
        const label = props.labels[i] ?? '';
        return (
          <g>
            <text x={String(labelWidth - 6)} y={String(yy + 11)} text-anchor="end">
              {label.length > 34 ? `${label.slice(0, 33)}…` : label}
            </text>
            <rect
              x={String(labelWidth)}
              y={String(yy)}
              width={w.toFixed(1)}
              height={String(rowHeight - 4)}
              rx="2"
              fill={PALETTE[0]}
            />
            <text x={String(labelWidth + w + 4)} y={String(yy + 11)}>
              {formatNumber(v)}
            </text>
          </g>
        );
      })}
    </svg>
  );
};
