/** One figure of the bench: ironstar's value against the baseline it is compared to. */
export type Figure = {
  readonly scenario: string;
  readonly name: string;
  readonly unit: string;
  readonly ironstar: number;
  readonly baseline: number | null;
  readonly baselineName: string;
  /** ironstar / baseline (for "lower is better" figures the reader sees the unit). */
  readonly ratio: number | null;
  readonly target?: string;
};

export const figure = (f: Omit<Figure, 'ratio'>): Figure => ({
  ...f,
  // A baseline at or below zero (a frame that beat its 202 at a tiny feed count) has no ratio.
  ratio: f.baseline === null || f.baseline <= 0 ? null : f.ironstar / f.baseline,
});

const fmt = (n: number | null) =>
  n === null || Number.isNaN(n)
    ? 'n/a'
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n.toFixed(2);

export const table = (figures: readonly Figure[]) => {
  const rows = figures.map((f) => [
    f.scenario,
    f.name,
    `${fmt(f.ironstar)} ${f.unit}`,
    f.baseline === null ? 'n/a' : `${fmt(f.baseline)} ${f.unit} (${f.baselineName})`,
    f.ratio === null ? 'n/a' : `${f.ratio.toFixed(2)}x`,
    f.target ?? '',
  ]);
  const header = ['scenario', 'figure', 'ironstar', 'baseline', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
};
