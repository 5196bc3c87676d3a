import type { EventBus } from './event-bus';
import type { EventStore } from './event-store';
import {
  emptyInstance,
  foldInstance,
  type LoadedInstance,
  type PendingInput,
  stepFor,
} from './process-instance';
import { type AnyProcessManager, processStreamType } from './process-manager';
import type { ProcessRunnerEvent } from './process-runner';
import type { ProcessStep, ProcessStore, StepDuplicate, StepRecorded } from './process-store';

/** One input for one instance. */
export type Item = { readonly instanceId: string; readonly pending: PendingInput };

/** Instances folded in memory, stream events read per page. */
const CACHE = 1000;
const PAGE = 256;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * How a manager's inputs reach its instances: load (through a bounded cache), decide, and
 * record in one transaction, one input or a batch at a time. Inputs take turns: each reads
 * and extends an instance's stream.
 */
export const createInstanceSteps = (deps: {
  readonly manager: AnyProcessManager;
  readonly owner: string;
  readonly store: Pick<EventStore, 'readStream'>;
  readonly processes: ProcessStore;
  readonly bus: Pick<EventBus, 'publish'>;
  readonly clock: () => string;
  readonly emit: (event: ProcessRunnerEvent) => void;
  /** Whether inputs of activation `gen` may still be handled. */
  readonly current: (gen: number) => boolean;
  /** The store said another process holds the lease. */
  readonly onLeaseLost: () => void;
  /** Commands were recorded: the outbox has work. */
  readonly onCommands: () => void;
}) => {
  const { manager, owner, emit } = deps;
  const streamType = processStreamType(manager.name);
  const cache = new Map<string, LoadedInstance>();

  // Inputs of one manager take turns: each reads and extends an instance's stream.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work, work);
    turn = next.catch(() => {});
    return next;
  };

  const load = async (instanceId: string): Promise<LoadedInstance | 'unavailable'> => {
    const cached = cache.get(instanceId);
    if (cached) {
      cache.delete(instanceId); // re-inserted below: least recently used goes first
      cache.set(instanceId, cached);
      return cached;
    }
    let loaded = emptyInstance(manager);
    for (;;) {
      const page = await deps.store.readStream(streamType, instanceId, {
        afterVersion: loaded.version,
        limit: PAGE,
      });
      if (page.isErr()) {
        emit({ type: 'storeError', manager: manager.name, error: page.error.message });
        return 'unavailable';
      }
      loaded = foldInstance(manager, loaded, page.value);
      if (page.value.length < PAGE) break;
    }
    remember(instanceId, loaded);
    return loaded;
  };
  const remember = (instanceId: string, loaded: LoadedInstance) => {
    cache.set(instanceId, loaded);
    if (cache.size > CACHE) cache.delete(cache.keys().next().value as string);
  };

  /** Events reaching a finished instance are not its business any more. */
  const skips = (loaded: LoadedInstance, pending: PendingInput) =>
    loaded.done && pending.firedTimer === undefined && pending.answeredCommand === undefined;

  /** After a step was written: the cache, the bus, the dispatcher and the reports. */
  const recorded = (
    instanceId: string,
    pending: PendingInput,
    laid: ProcessStep,
    next: LoadedInstance,
    result: StepRecorded | StepDuplicate | undefined,
  ) => {
    if (result?.type !== 'Recorded') {
      cache.delete(instanceId);
      emit({ type: 'duplicate', manager: manager.name, inputId: pending.inputId });
      return;
    }
    remember(instanceId, next);
    emit({ type: 'input', manager: manager.name, input: pending.input.type });
    if (pending.firedTimer !== undefined) {
      emit({ type: 'timerFired', manager: manager.name, timer: pending.firedTimer });
    }
    // Best effort: the events are stored; readers fill gaps from the store.
    deps.bus.publish(result.events).catch(() => {});
    if (laid.commands.length > 0) deps.onCommands();
  };

  /** Handles one input to the end (recorded, a duplicate, or the runner stopped); in turn. */
  const stepNow = async (
    instanceId: string,
    pending: PendingInput,
    gen: number,
  ): Promise<'done' | 'stopped'> => {
    let backoff = 50;
    while (deps.current(gen)) {
      const loaded = await load(instanceId);
      if (loaded !== 'unavailable') {
        if (skips(loaded, pending)) return 'done';
        const { step: laid, next } = stepFor({
          manager,
          owner,
          instanceId,
          loaded,
          pending,
          now: deps.clock(),
        });
        const result = await deps.processes.record([laid]);
        if (result.isOk()) {
          recorded(instanceId, pending, laid, next, result.value[0]);
          return 'done';
        }
        cache.delete(instanceId);
        if (result.error.type === 'LeaseLost') {
          deps.onLeaseLost();
          return 'stopped';
        }
        if (result.error.type === 'ConcurrencyError') continue; // reload and decide again
        emit({ type: 'storeError', manager: manager.name, error: result.error.message });
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
    return 'stopped';
  };
  const step = (instanceId: string, pending: PendingInput, gen: number) =>
    inTurn(() => stepNow(instanceId, pending, gen));

  /**
   * Handles inputs (in order) in ONE transaction when it can: laid out on the states the
   * earlier ones lead to, then written all or none. If that is refused (a stream moved, the
   * store failed) each input is handled alone, as `step` does.
   */
  const stepAll = (items: readonly Item[], gen: number) =>
    inTurn(async (): Promise<'done' | 'stopped'> => {
      const alone = async () => {
        for (const item of items) {
          if ((await stepNow(item.instanceId, item.pending, gen)) === 'stopped') return 'stopped';
        }
        return 'done' as const;
      };
      if (items.length < 2) return alone();
      const states = new Map<string, LoadedInstance>();
      const laid: { item: Item; step: ProcessStep; next: LoadedInstance }[] = [];
      for (const item of items) {
        const loaded = states.get(item.instanceId) ?? (await load(item.instanceId));
        if (loaded === 'unavailable') return alone();
        if (skips(loaded, item.pending)) continue;
        const { step: laidOut, next } = stepFor({
          manager,
          owner,
          instanceId: item.instanceId,
          loaded,
          pending: item.pending,
          now: deps.clock(),
        });
        states.set(item.instanceId, next);
        laid.push({ item, step: laidOut, next });
      }
      if (laid.length === 0) return 'done';
      if (!deps.current(gen)) return 'stopped';
      const result = await deps.processes.record(laid.map((entry) => entry.step));
      if (result.isOk()) {
        for (const [i, entry] of laid.entries()) {
          recorded(
            entry.item.instanceId,
            entry.item.pending,
            entry.step,
            entry.next,
            result.value[i],
          );
        }
        return 'done';
      }
      for (const entry of laid) cache.delete(entry.item.instanceId);
      if (result.error.type === 'LeaseLost') {
        deps.onLeaseLost();
        return 'stopped';
      }
      return alone();
    });

  return {
    step,
    stepAll,
    /** Forgets every cached state (a new lease term reads the store again). */
    forget: () => cache.clear(),
    /** Settles once the input in hand is recorded. */
    idle: () => turn,
  };
};
