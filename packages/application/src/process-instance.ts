import type { Message } from '@ironstar/domain';
import type { NewEvent, StoredEvent } from './event-store';
import {
  type AnyProcessManager,
  type CommandFailed,
  deriveId,
  type ProcessDecision,
  type ProcessInputOf,
  type TimerFired,
} from './process-manager';
import type { OutboxRow, ProcessStep, TimerRow } from './process-store';

// What an instance's stream (`Process:<manager>`/<instanceId>) holds. Inputs are folded with
// the manager's `evolve`; the rest records what it decided, for the log and the dashboard.
export const PROCESS_EVENTS = {
  InputReceived: 'InputReceived',
  TimerFired: 'TimerFired',
  CommandFailed: 'CommandFailed',
  CommandScheduled: 'CommandScheduled',
  TimerSet: 'TimerSet',
  TimerCancelled: 'TimerCancelled',
  ProcessDone: 'ProcessDone',
} as const;

/** An instance as folded from its stream. */
export type LoadedInstance = {
  readonly state: unknown;
  readonly version: number;
  readonly done: boolean;
  /** The correlation id of its first input: what its timers carry on. */
  readonly correlationId: string | null;
  /** Names of the timers set and not yet fired or cancelled. */
  readonly timers: ReadonlySet<string>;
};

export const emptyInstance = (manager: AnyProcessManager): LoadedInstance => ({
  state: manager.initialState(),
  version: 0,
  done: false,
  correlationId: null,
  timers: new Set(),
});

/** The input a recorded event stands for, if it is one. */
const inputOf = (event: StoredEvent): ProcessInputOf<Message> | undefined => {
  const data = event.payload as Record<string, unknown>;
  switch (event.eventType) {
    case PROCESS_EVENTS.InputReceived:
      return data.input as Message;
    case PROCESS_EVENTS.TimerFired:
      return {
        type: 'TimerFired',
        data: { timer: String(data.timer), firedAt: String(data.firedAt) },
      };
    case PROCESS_EVENTS.CommandFailed: {
      const { commandId: _, afterDone: __, ...failure } = data;
      return { type: 'CommandFailed', data: failure as CommandFailed['data'] };
    }
    default:
      return undefined;
  }
};

/** Folds one more page of the instance's stream. */
export const foldInstance = (
  manager: AnyProcessManager,
  from: LoadedInstance,
  events: readonly StoredEvent[],
): LoadedInstance => {
  let { state, version, done, correlationId } = from;
  const timers = new Set(from.timers);
  for (const event of events) {
    version = event.aggregateSequence;
    if (version === 1) correlationId = event.metadata?.correlationId ?? null;
    const data = event.payload as Record<string, unknown>;
    if (event.eventType === PROCESS_EVENTS.TimerSet) timers.add(String(data.name));
    if (
      event.eventType === PROCESS_EVENTS.TimerCancelled ||
      event.eventType === PROCESS_EVENTS.TimerFired
    ) {
      timers.delete(String(data.name ?? data.timer));
    }
    if (event.eventType === PROCESS_EVENTS.ProcessDone) done = true;
    const input = inputOf(event);
    // A finished instance records late answers but no longer evolves (see `stepFor`).
    if (input && data.afterDone !== true) state = manager.evolve(state, input);
  }
  return { state, version, done, correlationId, timers };
};

/** One input as the runner hands it to an instance. */
export type PendingInput = {
  /** Unique per input: a stored event's id, a timer's id, or a refused command's derived id. */
  readonly inputId: string;
  readonly input: ProcessInputOf<Message>;
  readonly checkpoint?: number;
  readonly correlationId: string | null;
  /** The stored event that is the input (its causation); absent: the recorded input event. */
  readonly causationId?: string;
  readonly firedTimer?: string;
  readonly answeredCommand?: string;
};

const later = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();

/** A timer is due at most this far ahead (a longer one is due then). */
export const MAX_TIMER_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * A decision the runtime cannot record faithfully is a bug in the manager: two commands under
 * one key would share an idempotency key, two timers of one name one row, and a timer needs a
 * number of milliseconds. Thrown, so the runner stops and says so.
 */
const checkDecision = (manager: string, decision: ProcessDecision) => {
  const twice = (names: readonly string[]) => names.find((n, i) => names.indexOf(n) !== i);
  const key = twice((decision.commands ?? []).map((command) => command.key));
  if (key !== undefined) throw new Error(`${manager} decided two commands with key ${key}`);
  const timers = decision.setTimers ?? [];
  const timer = twice(timers.map((t) => t.name));
  if (timer !== undefined) throw new Error(`${manager} set timer ${timer} twice in one decision`);
  const odd = timers.find((t) => !Number.isFinite(t.afterMs));
  if (odd) throw new Error(`${manager} set timer ${odd.name} with afterMs ${odd.afterMs}`);
};

/** Decides on an input and lays out the one transaction that records it (pure). */
export const stepFor = (args: {
  readonly manager: AnyProcessManager;
  readonly owner: string;
  readonly instanceId: string;
  readonly loaded: LoadedInstance;
  readonly pending: PendingInput;
  readonly now: string;
}): { readonly step: ProcessStep; readonly next: LoadedInstance } => {
  const { manager, owner, instanceId, loaded, pending, now } = args;
  const name = manager.name;
  const recordId = deriveId(name, pending.inputId);
  const correlationId = loaded.correlationId ?? pending.correlationId;
  const causationId = pending.causationId ?? recordId;
  const metadata = {
    ...(correlationId ? { correlationId } : {}),
    causationId,
  };
  let count = 0;
  // The first event's id is the dedupe key; the others follow from it, so a replay matches.
  const event = (type: string, data: unknown): NewEvent => {
    const id = count === 0 ? recordId : deriveId(recordId, String(count));
    count++;
    return { id, type, data, metadata };
  };
  const { input } = pending;
  // A selected input may be named like a framework input; the runner says which it is.
  const fired = pending.firedTimer === undefined ? undefined : (input.data as TimerFired['data']);
  const failed =
    pending.answeredCommand === undefined ? undefined : (input.data as CommandFailed['data']);
  const afterDone = loaded.done;
  const events: NewEvent[] = [
    fired
      ? event(PROCESS_EVENTS.TimerFired, { ...fired, timerId: pending.inputId, afterDone })
      : failed
        ? event(PROCESS_EVENTS.CommandFailed, {
            ...failed,
            commandId: pending.answeredCommand,
            afterDone,
          })
        : event(PROCESS_EVENTS.InputReceived, { inputId: pending.inputId, input }),
  ];
  // A finished instance takes no decision: the late answer is only recorded.
  const decision: ProcessDecision = afterDone ? {} : manager.decide(input, loaded.state);
  const state = afterDone ? loaded.state : manager.evolve(loaded.state, input);
  const timers = new Set(loaded.timers);
  if (fired) timers.delete(fired.timer);

  checkDecision(name, decision);
  const commands: ProcessStep['commands'] = (decision.commands ?? []).map((command) => {
    const id = `${name}:${pending.inputId}:${command.key}`;
    events.push(event(PROCESS_EVENTS.CommandScheduled, { commandId: id, ...command }));
    return {
      id,
      manager: name,
      instanceId,
      key: command.key,
      aggregateType: command.aggregateType,
      aggregateId: command.aggregateId,
      command: command.command,
      correlationId,
      causationId,
      nextAttemptAt: now,
    } satisfies Omit<OutboxRow, 'status' | 'attempts' | 'lastError'>;
  });
  const done = decision.done === true;
  // Done cancels whatever is still pending: nothing is routed to a finished instance.
  const cancel = new Set(decision.cancelTimers ?? []);
  if (done) for (const timer of timers) cancel.add(timer);
  for (const timer of cancel) {
    if (!timers.delete(timer)) continue;
    events.push(event(PROCESS_EVENTS.TimerCancelled, { name: timer }));
  }
  const setTimers: TimerRow[] = done
    ? []
    : (decision.setTimers ?? []).map((timer) => {
        const id = deriveId(recordId, `timer:${timer.name}`);
        const dueAt = later(now, Math.min(Math.max(0, timer.afterMs), MAX_TIMER_MS));
        // Setting a pending timer again replaces it.
        if (timers.has(timer.name)) cancel.add(timer.name);
        timers.add(timer.name);
        events.push(event(PROCESS_EVENTS.TimerSet, { timerId: id, name: timer.name, dueAt }));
        return { id, manager: name, instanceId, name: timer.name, dueAt, correlationId };
      });
  if (done) events.push(event(PROCESS_EVENTS.ProcessDone, {}));
  const isDone = loaded.done || done;
  return {
    step: {
      manager: name,
      owner,
      instanceId,
      expectedVersion: loaded.version,
      events,
      ...(pending.checkpoint === undefined ? {} : { checkpoint: pending.checkpoint }),
      commands,
      setTimers,
      cancelTimers: [...cancel],
      ...(pending.firedTimer === undefined ? {} : { firedTimer: pending.firedTimer }),
      ...(pending.answeredCommand === undefined
        ? {}
        : { answeredCommand: pending.answeredCommand }),
      instance: { state, done: isDone, updatedAt: now },
    },
    next: {
      state,
      version: loaded.version + events.length,
      done: isDone,
      correlationId,
      timers,
    },
  };
};
