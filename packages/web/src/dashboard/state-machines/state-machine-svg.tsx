/** @jsxImportSource hono/jsx */
import { layOut, type MachineShape } from './state-machine-layout';

/** Where one aggregate is: its current state and the steps its events took. */
export type StateTrace = {
  readonly current: string;
  /** The state after each event, oldest first (the initial state before them implied). */
  readonly steps: readonly string[];
};

const pairKey = (from: string, to: string) => `${from}\u0000${to}`;

/** The transitions a trace went through, and the states it visited. */
export const traceMarks = (initial: string, trace: StateTrace | undefined) => {
  const taken = new Set<string>();
  const visited = new Set<string>();
  if (!trace) return { taken, visited };
  let at = initial;
  visited.add(at);
  for (const step of trace.steps) {
    taken.add(pairKey(at, step));
    visited.add(step);
    at = step;
  }
  return { taken, visited };
};

/**
 * A state machine as an SVG graph: states as boxes in columns (the initial state a dot,
 * terminal states with a double border), transitions as labelled arrows. With a trace, the
 * current state is filled and the path there drawn bold. `key` makes the ids in the drawing
 * unique on a page holding several.
 */
export const StateMachineSvg = (props: {
  key: string;
  title: string;
  machine: MachineShape;
  trace?: StateTrace | undefined;
}) => {
  const { machine, trace } = props;
  const layout = layOut(machine);
  const marks = traceMarks(machine.initial, trace);
  const arrow = `arrow-${props.key}`;
  const arrowTaken = `arrow-taken-${props.key}`;
  return (
    <svg
      class="state-machine"
      role="img"
      aria-label={`${props.title} state machine${trace ? `, now ${trace.current}` : ''}`}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
      data-current={trace?.current}
    >
      <defs>
        <marker
          id={arrow}
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="9"
          markerHeight="9"
          markerUnits="userSpaceOnUse"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="sm-head" />
        </marker>
        <marker
          id={arrowTaken}
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="9"
          markerHeight="9"
          markerUnits="userSpaceOnUse"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="sm-head taken" />
        </marker>
      </defs>
      {layout.edges.map((edge) => {
        const taken = marks.taken.has(pairKey(edge.from, edge.to));
        return (
          <g class={taken ? 'sm-edge taken' : 'sm-edge'} data-from={edge.from} data-to={edge.to}>
            <path d={edge.d} marker-end={`url(#${taken ? arrowTaken : arrow})`} />
            <text x={edge.labelX.toFixed(1)} y={edge.labelY.toFixed(1)} text-anchor="middle">
              {edge.label}
            </text>
          </g>
        );
      })}
      {layout.nodes.map((node) => {
        const classes = ['sm-node'];
        if (node.initial) classes.push('initial');
        if (node.terminal) classes.push('terminal');
        if (marks.visited.has(node.state)) classes.push('visited');
        if (trace?.current === node.state) classes.push('current');
        const { x, y, halfWidth: w, halfHeight: h } = node;
        return (
          <g class={classes.join(' ')} data-state={node.state}>
            {node.initial ? (
              <>
                <circle cx={x} cy={y} r={h} />
                <text x={x} y={y + h + 14} text-anchor="middle" class="sm-initial-label">
                  {node.state}
                </text>
              </>
            ) : (
              <>
                <rect x={x - w} y={y - h} width={2 * w} height={2 * h} rx="8" />
                {node.terminal ? (
                  <rect
                    class="sm-inner"
                    x={x - w + 3}
                    y={y - h + 3}
                    width={2 * w - 6}
                    height={2 * h - 6}
                    rx="6"
                  />
                ) : null}
                <text x={x} y={y + 4} text-anchor="middle">
                  {node.state}
                </text>
              </>
            )}
          </g>
        );
      })}
    </svg>
  );
};

// Drawn in the stylesheet's colours (ui/styles.ts), so dark mode and the palette follow it: lines
// and labels muted, the path taken and the current state in the accent colour.
/** Shown on a phone only, where a drawing is wider than the screen and scrolls in its card. */
export const SwipeHint = () => <p class="swipe-hint">Swipe sideways to see the whole machine →</p>;

export const STATE_MACHINE_STYLES = `
.state-machine { max-width: 100%; height: auto; font: 12px -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; overflow: visible; }
.state-machine .sm-edge path { fill: none; stroke: var(--muted); stroke-width: 1.4; opacity: .7; }
.state-machine .sm-edge text { fill: var(--muted); font-size: 10.5px; paint-order: stroke; stroke: var(--panel); stroke-width: 3px; }
.state-machine .sm-head { fill: var(--muted); }
.state-machine .sm-head.taken { fill: var(--accent); }
.state-machine .sm-edge.taken path { stroke: var(--accent); stroke-width: 2.6; opacity: 1; }
.state-machine .sm-edge.taken text { fill: var(--accent); font-weight: 600; }
.state-machine .sm-node rect { fill: var(--panel); stroke: var(--muted); stroke-width: 1.3; }
.state-machine .sm-node rect.sm-inner { fill: none; }
.state-machine .sm-node text { fill: var(--fg); }
.state-machine .sm-node.initial circle { fill: var(--fg); }
.state-machine .sm-node .sm-initial-label { fill: var(--muted); font-size: 10px; }
.state-machine .sm-node.visited rect { stroke: var(--accent); }
.state-machine .sm-node.current rect { fill: var(--accent); stroke: var(--accent); stroke-width: 2; }
.state-machine .sm-node.current rect.sm-inner { fill: none; stroke: var(--accent-fg); }
.state-machine .sm-node.current text { fill: var(--accent-fg); font-weight: 600; }
.state-machine .sm-node.current.initial circle { fill: var(--accent); }
.machines { display: grid; gap: 1.25rem; }
/* A Panel (ui/components) whose drawing may scroll sideways on a phone. */
.machine-card { overflow-x: auto; }
.machine-card h2 { font-size: 1rem; margin: 0 0 .5rem; }
.machine-now { margin: 0 0 .5rem; }
.swipe-hint { display: none; margin: 0 0 .25rem; color: var(--muted); font-size: .8rem; }
@media (max-width: 640px) { .state-machine { max-width: none; } .swipe-hint { display: block; } }
`;
