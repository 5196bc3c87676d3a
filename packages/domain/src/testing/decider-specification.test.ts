import { err, ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { assertNever } from '../assert-never';
import { type Decider, fold, type Message } from '../decider';
import { DeciderSpecification, deepEqual } from './decider-specification';

// A lamp: the smallest decider with an event, a refusal and a command that changes nothing.
type Command = Message<'SwitchOn', { at: string }> | Message<'SwitchOff', { at: string }>;
type Event = Message<'SwitchedOn', { at: string }> | Message<'SwitchedOff', { at: string }>;
type State = { readonly on: boolean };
type Err = { readonly type: 'AlreadyOff' };

const lamp: Decider<Command, Event, State, Err> = {
  initialState: () => ({ on: false }),
  evolve: (_, event) => ({ on: event.type === 'SwitchedOn' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'SwitchOn':
        return ok(state.on ? [] : [{ type: 'SwitchedOn', data: command.data }]);
      case 'SwitchOff':
        return state.on
          ? ok([{ type: 'SwitchedOff', data: command.data }])
          : err({ type: 'AlreadyOff' });
      default:
        return assertNever(command);
    }
  },
};

const spec = DeciderSpecification.for(lamp);
const on: Command = { type: 'SwitchOn', data: { at: 'T' } };
const off: Command = { type: 'SwitchOff', data: { at: 'T' } };
const switchedOn: Event = { type: 'SwitchedOn', data: { at: 'T' } };

describe('the decider specification', () => {
  it('passes what the decider does', () => {
    spec.given([]).when(on).then([switchedOn]);
    spec.given([switchedOn]).when(on).thenNothingHappened();
    spec.given([]).when(off).thenFails('AlreadyOff');
  });

  it('fails, saying why, for every wrong expectation', () => {
    expect(() => spec.given([]).when(on).then([])).toThrow(/expected events \[\]\n {5}got/);
    expect(() => spec.given([]).when(off).then([switchedOn])).toThrow(/but decide failed with/);
    expect(() => spec.given([]).when(on).thenNothingHappened()).toThrow(/expected no events, got/);
    expect(() => spec.given([]).when(off).thenNothingHappened()).toThrow(/but decide failed/);
    expect(() => spec.given([]).when(on).thenFails('AlreadyOff')).toThrow(/but decide produced/);
    const wrong = { ...lamp, decide: () => err({ type: 'Broken' as const }) };
    expect(() =>
      DeciderSpecification.for(wrong)
        .given([])
        .when(off)
        .thenFails('AlreadyOff' as 'Broken'),
    ).toThrow(/expected AlreadyOff but decide failed with/);
    try {
      spec.given([]).when(on).then([]);
    } catch (error) {
      expect((error as Error).name).toBe('AssertionError');
    }
  });

  it('folds a history, and compares plain data structurally', () => {
    expect(fold(lamp, [switchedOn])).toEqual({ on: true });
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });

  it('throws at a case no switch handles: a bug', () => {
    expect(() => assertNever({ type: 'Lost' } as never)).toThrow('unhandled case: {"type":"Lost"}');
  });
});
