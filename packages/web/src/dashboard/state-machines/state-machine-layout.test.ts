import { describe, expect, it } from 'vitest';
import { layOut } from './state-machine-layout';

// The order's shape: a main line, a state reached from three others, a self-loop.
const order = {
  initial: 'none',
  states: ['none', 'draft', 'submitted', 'validated', 'fulfilled', 'cancelled'],
  transitions: [
    { from: 'none', to: 'draft', on: 'Create' },
    { from: 'draft', to: 'draft', on: 'AddItem' },
    { from: 'draft', to: 'draft', on: 'RemoveItem' },
    { from: 'draft', to: 'submitted', on: 'Submit' },
    { from: 'submitted', to: 'validated', on: 'Validate' },
    { from: 'validated', to: 'fulfilled', on: 'Fulfil' },
    { from: 'draft', to: 'cancelled', on: 'Cancel' },
    { from: 'submitted', to: 'cancelled', on: 'Cancel' },
    { from: 'validated', to: 'cancelled', on: 'Cancel' },
  ],
};

describe('the state machine layout', () => {
  it('puts states in columns by their longest distance from the initial state', () => {
    const layout = layOut(order);
    const at = Object.fromEntries(layout.nodes.map((n) => [n.state, [n.column, n.row]]));
    expect(at).toEqual({
      none: [0, 0],
      draft: [1, 0],
      submitted: [2, 0],
      validated: [3, 0],
      fulfilled: [4, 0],
      cancelled: [4, 1],
    });
    const terminal = layout.nodes.filter((n) => n.terminal).map((n) => n.state);
    expect(terminal).toEqual(['fulfilled', 'cancelled']);
    expect(layout.nodes.find((n) => n.initial)?.state).toBe('none');
  });

  it('draws one arrow per pair of states, labels joined, and keeps everything inside', () => {
    const layout = layOut(order);
    expect(layout.edges).toHaveLength(8);
    expect(layout.edges.find((e) => e.from === 'draft' && e.to === 'draft')?.label).toBe(
      'AddItem, RemoveItem',
    );
    // Neighbours get a straight line; an arrow over other columns a curve.
    expect(layout.edges.find((e) => e.to === 'submitted')?.d).toMatch(/^M[\d.]+,[\d.]+ L/);
    expect(layout.edges.find((e) => e.from === 'draft' && e.to === 'cancelled')?.d).toMatch(/ Q/);
    for (const node of layout.nodes) {
      expect(node.x - node.halfWidth).toBeGreaterThan(0);
      expect(node.x + node.halfWidth).toBeLessThan(layout.width);
      expect(node.y + node.halfHeight).toBeLessThan(layout.height);
    }
    for (const edge of layout.edges) {
      const numbers = edge.d.match(/-?[\d.]+/g)?.map(Number) ?? [];
      for (const [i, n] of numbers.entries()) {
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(i % 2 === 0 ? layout.width : layout.height);
      }
    }
  });

  it('finds the edges that go back, and ends arrows on the target box border', () => {
    const todo = layOut({
      initial: 'none',
      states: ['none', 'active', 'completed'],
      transitions: [
        { from: 'none', to: 'active', on: 'Create' },
        { from: 'active', to: 'completed', on: 'Complete' },
        { from: 'completed', to: 'active', on: 'Reopen' },
      ],
    });
    expect(todo.nodes.map((n) => n.column)).toEqual([0, 1, 2]);
    const back = todo.edges.find((e) => e.label === 'Reopen');
    expect(back?.d).toMatch(/ Q/);
    const active = todo.nodes.find((n) => n.state === 'active');
    const end =
      back?.d
        .match(/([\d.]+),([\d.]+)$/)
        ?.slice(1)
        .map(Number) ?? [];
    if (!active) throw new Error('no active node');
    // The arrow's end lies on the active box's border.
    const onBorder =
      Math.abs(Math.abs((end[0] ?? 0) - active.x) - active.halfWidth) < 0.2 ||
      Math.abs(Math.abs((end[1] ?? 0) - active.y) - active.halfHeight) < 0.2;
    expect(onBorder).toBe(true);
  });

  it('places states no transition reaches, and skips transitions to undeclared states', () => {
    const layout = layOut({
      initial: 'a',
      states: ['a', 'b', 'island'],
      transitions: [
        { from: 'a', to: 'b', on: 'Go' },
        { from: 'b', to: 'nowhere', on: 'Lost' },
      ],
    });
    expect(layout.nodes.map((n) => n.state).sort()).toEqual(['a', 'b', 'island']);
    expect(layout.edges.map((e) => e.label)).toEqual(['Go']);
  });
});
