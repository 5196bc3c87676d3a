import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './event-store';
import { emptyInstance, foldInstance, MAX_TIMER_MS, stepFor } from './process-instance';
import type { ProcessDecision } from './process-manager';
import { defineProcessManager } from './process-manager';

// A manager that decides whatever the test hands it, to check how decisions are laid out.
const managerDeciding = (decision: ProcessDecision) =>
  defineProcessManager<{ n: number }, { type: 'Go'; data: { n: number } }>({
    name: 'lay-out',
    select: () => undefined,
    initialState: () => ({ n: 0 }),
    evolve: (state, input) => (input.type === 'Go' ? { n: state.n + input.data.n } : state),
    decide: () => decision,
  });

const lay = (decision: ProcessDecision, inputId = 'e1') => {
  const manager = managerDeciding(decision);
  return stepFor({
    manager,
    owner: 'me',
    instanceId: 'i1',
    loaded: emptyInstance(manager),
    pending: {
      inputId,
      input: { type: 'Go', data: { n: 2 } },
      checkpoint: 7,
      correlationId: 'corr',
      causationId: inputId,
    },
    now: '2026-01-01T00:00:00.000Z',
  });
};

const command = (key: string) => ({
  key,
  aggregateType: 'Target',
  aggregateId: 't1',
  command: { type: 'Do', data: { key } },
});

describe('laying out a step', () => {
  it('records the input, then what was decided, with ids derived from the input', () => {
    const { step, next } = lay({
      commands: [command('a')],
      setTimers: [{ name: 'later', afterMs: 1500 }],
    });
    expect(step.events.map((e) => e.type)).toEqual([
      'InputReceived',
      'CommandScheduled',
      'TimerSet',
    ]);
    expect(step.events.every((e) => e.metadata?.correlationId === 'corr')).toBe(true);
    expect(step.events.every((e) => e.metadata?.causationId === 'e1')).toBe(true);
    expect(step.commands).toEqual([
      expect.objectContaining({ id: 'lay-out:e1:a', causationId: 'e1', correlationId: 'corr' }),
    ]);
    expect(step.setTimers).toEqual([
      expect.objectContaining({ name: 'later', dueAt: '2026-01-01T00:00:01.500Z' }),
    ]);
    expect(step).toMatchObject({
      checkpoint: 7,
      expectedVersion: 0,
      instance: { state: { n: 2 } },
    });
    expect(next).toMatchObject({ version: 3, done: false, state: { n: 2 } });
    // The same input laid out again makes the very same events (the dedupe key).
    expect(lay({ commands: [command('a')] }).step.events[0]?.id).toBe(step.events[0]?.id);
    expect(lay({}, 'e2').step.events[0]?.id).not.toBe(step.events[0]?.id);
  });

  it('folds back to the same state from the events it recorded', () => {
    const { step, next } = lay({ setTimers: [{ name: 'later', afterMs: 10 }] });
    const manager = managerDeciding({});
    const stored = step.events.map(
      (event, i): StoredEvent => ({
        globalSequence: i + 1,
        id: event.id,
        aggregateType: 'Process:lay-out',
        aggregateId: 'i1',
        aggregateSequence: i + 1,
        eventType: event.type,
        eventVersion: 1,
        payload: event.data,
        metadata: event.metadata ?? null,
        createdAt: 'T',
      }),
    );
    const folded = foldInstance(manager, emptyInstance(manager), stored);
    expect(folded).toEqual({ ...next, timers: new Set(['later']) });
    expect(folded.correlationId).toBe('corr');
  });

  it('keeps timers between now and a year ahead', () => {
    const { step } = lay({
      setTimers: [
        { name: 'past', afterMs: -5 },
        { name: 'far', afterMs: 1e20 },
      ],
    });
    expect(step.setTimers.map((t) => t.dueAt)).toEqual([
      '2026-01-01T00:00:00.000Z',
      new Date(Date.parse('2026-01-01T00:00:00.000Z') + MAX_TIMER_MS).toISOString(),
    ]);
  });

  it('throws at a decision it cannot record faithfully: a bug in the manager', () => {
    expect(() => lay({ commands: [command('a'), command('a')] })).toThrow(
      'lay-out decided two commands with key a',
    );
    expect(() =>
      lay({
        setTimers: [
          { name: 't', afterMs: 1 },
          { name: 't', afterMs: 2 },
        ],
      }),
    ).toThrow('lay-out set timer t twice in one decision');
    expect(() => lay({ setTimers: [{ name: 't', afterMs: Number.NaN }] })).toThrow(
      'lay-out set timer t with afterMs NaN',
    );
  });
});
