import type { StateTransition } from '@ironstar/application';

/** What a drawing needs of a machine (the declaration without its `stateOf`). */
export type MachineShape = {
  readonly initial: string;
  readonly states: readonly string[];
  readonly transitions: readonly StateTransition[];
};

export type PlacedNode = {
  readonly state: string;
  readonly column: number;
  readonly row: number;
  readonly x: number; // centre
  readonly y: number;
  readonly halfWidth: number;
  readonly halfHeight: number;
  readonly initial: boolean;
  readonly terminal: boolean;
};

/** One arrow per (from, to), its commands joined: a loop when from = to. */
export type PlacedEdge = {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** SVG path data, ending on the target's border (the arrowhead goes there). */
  readonly d: string;
  readonly labelX: number;
  readonly labelY: number;
};

export type Layout = {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
};

const NODE_HEIGHT = 34;
const COLUMN_GAP = 90;
const ROW_GAP = 86;
const MARGIN = 44;
const CHAR_WIDTH = 7.4;
const INITIAL_RADIUS = 9;

/**
 * Columns by distance from the initial state: the longest path over the transitions that go
 * forward (a depth-first walk from the initial state finds the ones that go back), so a state
 * reached both early and late (cancelled) sits after every state that leads to it and the
 * main line reads left to right. Rows in a column follow the declaration order.
 */
export const layOut = (machine: MachineShape): Layout => {
  const moves = machine.transitions.filter((t) => t.from !== t.to);
  const next = new Map<string, string[]>();
  for (const t of moves) next.set(t.from, [...(next.get(t.from) ?? []), t.to]);

  // Back edges: those closing a cycle in a depth-first walk from the initial state.
  const back = new Set<string>();
  const onPath = new Set<string>();
  const seen = new Set<string>();
  const order: string[] = [];
  const walk = (state: string) => {
    seen.add(state);
    onPath.add(state);
    for (const to of next.get(state) ?? []) {
      if (onPath.has(to)) back.add(`${state}\u0000${to}`);
      else if (!seen.has(to)) walk(to);
    }
    onPath.delete(state);
    order.unshift(state); // reverse post-order: a topological order of the forward edges
  };
  walk(machine.initial);
  for (const state of machine.states) if (!seen.has(state)) walk(state);

  const column = new Map<string, number>(order.map((state) => [state, 0]));
  for (const state of order) {
    for (const to of next.get(state) ?? []) {
      if (back.has(`${state}\u0000${to}`)) continue;
      column.set(to, Math.max(column.get(to) ?? 0, (column.get(state) ?? 0) + 1));
    }
  }

  const terminal = new Set(machine.states.filter((s) => !moves.some((t) => t.from === s)));
  const columns: string[][] = [];
  for (const state of machine.states) {
    const c = column.get(state) ?? 0;
    columns[c] = [...(columns[c] ?? []), state];
  }
  const widthOf = (state: string) =>
    state === machine.initial ? INITIAL_RADIUS : Math.max(34, (state.length * CHAR_WIDTH) / 2 + 14);
  // Room for the labels of the arrows that leave a column.
  const gapAfter = (states: readonly string[]) =>
    Math.min(
      240,
      Math.max(
        COLUMN_GAP,
        ...moves.filter((t) => states.includes(t.from)).map((t) => t.on.length * 6.4 + 28),
      ),
    );
  const nodes: PlacedNode[] = [];
  let x = MARGIN;
  let rows = 1;
  for (const [c, states = []] of columns.entries()) {
    const half = Math.max(...states.map(widthOf), 0);
    states.forEach((state, row) => {
      const initial = state === machine.initial;
      nodes.push({
        state,
        column: c,
        row,
        x: x + half,
        y: MARGIN + 18 + row * ROW_GAP,
        halfWidth: widthOf(state),
        halfHeight: initial ? INITIAL_RADIUS : NODE_HEIGHT / 2,
        initial,
        terminal: terminal.has(state) && !initial,
      });
    });
    rows = Math.max(rows, states.length);
    x += 2 * half + gapAfter(states);
  }
  const byState = new Map(nodes.map((node) => [node.state, node]));

  const labels = new Map<string, string[]>();
  for (const t of machine.transitions) {
    const key = `${t.from}\u0000${t.to}`;
    labels.set(key, [...(labels.get(key) ?? []), t.on]);
  }
  const edges: PlacedEdge[] = [];
  for (const [key, on] of labels) {
    const [from = '', to = ''] = key.split('\u0000');
    const a = byState.get(from);
    const b = byState.get(to);
    if (!a || !b) continue; // an undeclared state: stateMachineProblems reports it
    const label = [...new Set(on)].join(', ');
    edges.push(edgeBetween(a, b, label, back.has(key)));
  }
  return {
    width: Math.round(x - gapAfter(columns.at(-1) ?? []) + MARGIN),
    height: Math.round(MARGIN + 18 + (rows - 1) * ROW_GAP + NODE_HEIGHT / 2 + 40),
    nodes,
    edges,
  };
};

const round = (n: number) => Math.round(n * 10) / 10;

/** Where the segment from a node's centre towards (tx, ty) leaves its box. */
const border = (node: PlacedNode, tx: number, ty: number) => {
  const dx = tx - node.x;
  const dy = ty - node.y;
  if (dx === 0 && dy === 0) return { x: node.x, y: node.y };
  const t = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : node.halfWidth / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : node.halfHeight / Math.abs(dy),
  );
  return { x: node.x + dx * t, y: node.y + dy * t };
};

const edgeBetween = (a: PlacedNode, b: PlacedNode, label: string, isBack: boolean): PlacedEdge => {
  const base = { from: a.state, to: b.state, label };
  if (a === b) {
    // A loop over the top of the node.
    const left = a.x - 12;
    const right = a.x + 12;
    const top = a.y - a.halfHeight;
    return {
      ...base,
      d: `M${round(left)},${round(top)} C${round(left - 14)},${round(top - 34)} ${round(right + 14)},${round(top - 34)} ${round(right)},${round(top)}`,
      labelX: a.x,
      labelY: top - 32,
    };
  }
  // Straight between neighbours; a bow for long and backward edges, so they pass nodes by.
  const span = Math.abs(b.column - a.column);
  const straight = !isBack && span <= 1;
  const mx = (a.x + b.x) / 2;
  const my = (a.y + b.y) / 2;
  const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  // The unit normal, turned downwards: self-loops and their labels sit above the nodes.
  let nx = -(b.y - a.y) / length;
  let ny = (b.x - a.x) / length;
  if (ny < 0) {
    nx = -nx;
    ny = -ny;
  }
  const bow = straight ? 0 : Math.min(90, 28 + span * 22);
  const cx = mx + nx * bow;
  const cy = my + ny * bow;
  const start = border(a, straight ? b.x : cx, straight ? b.y : cy);
  const end = border(b, straight ? a.x : cx, straight ? a.y : cy);
  if (straight) {
    return {
      ...base,
      d: `M${round(start.x)},${round(start.y)} L${round(end.x)},${round(end.y)}`,
      labelX: (start.x + end.x) / 2,
      labelY: (start.y + end.y) / 2 - 6,
    };
  }
  return {
    ...base,
    d: `M${round(start.x)},${round(start.y)} Q${round(cx)},${round(cy)} ${round(end.x)},${round(end.y)}`,
    labelX: 0.25 * start.x + 0.5 * cx + 0.25 * end.x,
    labelY: 0.25 * start.y + 0.5 * cy + 0.25 * end.y - 4,
  };
};
