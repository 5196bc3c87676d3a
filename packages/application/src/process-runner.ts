import { createHash } from 'node:crypto';
import { type CatchUpSubscription, subscribeFrom } from './catch-up-subscription';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent } from './event-store';
import type { HeadSource } from './head-watcher';
import {
  emptyInstance,
  foldInstance,
  type LoadedInstance,
  type PendingInput,
  stepFor,
} from './process-instance';
import { type AnyProcessManager, deriveId, processStreamType } from './process-manager';
import type {
  OutboxRow,
  ProcessStep,
  ProcessStore,
  StepDuplicate,
  StepRecorded,
} from './process-store';
import type { ProcessTarget } from './process-target';

/** What a runner reports, for logs and metrics (nothing fails silently). */
export type ProcessRunnerEvent =
  | { readonly type: 'leaseAcquired' | 'leaseLost'; readonly manager: string }
  | { readonly type: 'input'; readonly manager: string; readonly input: string }
  | { readonly type: 'duplicate'; readonly manager: string; readonly inputId: string }
  | { readonly type: 'timerFired'; readonly manager: string; readonly timer: string }
  | {
      readonly type: 'sent' | 'refused' | 'retried' | 'parked';
      readonly manager: string;
      readonly commandId: string;
      readonly error?: string;
    }
  | { readonly type: 'storeError'; readonly manager: string; readonly error: string }
  /** A bug (decide threw, say): the runner stops consuming until restarted. */
  | { readonly type: 'failed'; readonly manager: string; readonly error: unknown };

export type ProcessRunnerOptions = {
  readonly manager: AnyProcessManager;
  /** The store as readers see it (upcast). */
  readonly store: Pick<EventStore, 'readAll' | 'readStream'>;
  readonly bus: Pick<EventBus, 'subscribe' | 'publish'>;
  readonly heads?: HeadSource;
  readonly processes: ProcessStore;
  /** The target of a command by aggregate type (undefined: no module handles it). */
  readonly targets: (aggregateType: string) => ProcessTarget | undefined;
  readonly clock: () => string;
  /** This runner's name in the lease table (unique per process). */
  readonly owner: string;
  /** Lease time to live; renewed every third of it. */
  readonly leaseMs?: number;
  /** How often due timers and due outbox rows are looked for (besides nudges). */
  readonly pollMs?: number;
  /** Tries of a command before it is parked. */
  readonly retryMax?: number;
  /** First retry delay; doubled at each try. */
  readonly retryBaseMs?: number;
  readonly onEvent?: (event: ProcessRunnerEvent) => void;
};

/** One input for one instance. */
type Item = { readonly instanceId: string; readonly pending: PendingInput };

/** Rows taken per poll, instances folded in memory, stream events read per page. */
const BATCH = 64;
const CACHE = 1000;
const PAGE = 256;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());
const later = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();
const errorType = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as { type?: unknown }).type === 'string'
    ? (error as { type: string }).type
    : 'Rejected';
const describe = (error: unknown) => {
  const text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
};

/**
 * Runs one process manager: while it holds the manager's lease, it consumes the log from the
 * durable checkpoint (catch-up subscription), fires due timers and dispatches the outbox. Every
 * input is decided and recorded in one transaction (ProcessStore.record); commands leave only
 * from the outbox, under an idempotency key, so a resend after a crash appends nothing.
 */
export const createProcessRunner = (options: ProcessRunnerOptions) => {
  const { manager, processes, clock, owner } = options;
  const name = manager.name;
  const streamType = processStreamType(name);
  const leaseMs = options.leaseMs ?? 10_000;
  const pollMs = options.pollMs ?? 250;
  const retryMax = options.retryMax ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const emit = (event: ProcessRunnerEvent) => options.onEvent?.(event);

  let running = false;
  /** Bumped at every activation: loops of an older one end by themselves. */
  let generation = 0;
  let active = false;
  let subscription: CatchUpSubscription | undefined;
  let handled = 0;
  let saved = 0;
  let failure: unknown;
  /** The timer and outbox loops of the current activation. */
  let loops: Promise<unknown> = Promise.resolve();
  const cache = new Map<string, LoadedInstance>();
  const wakers = new Set<() => void>();
  /** Set by a nudge: new outbox rows the dispatcher has not looked for yet. */
  let outboxDirty = false;
  const nudge = () => {
    outboxDirty = true;
    for (const wake of [...wakers]) wake();
  };
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

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
      const page = await options.store.readStream(streamType, instanceId, {
        afterVersion: loaded.version,
        limit: PAGE,
      });
      if (page.isErr()) {
        emit({ type: 'storeError', manager: name, error: page.error.message });
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

  const lose = () => {
    if (!active) return;
    active = false;
    generation++;
    subscription?.stop();
    subscription = undefined;
    queue = [];
    cache.clear();
    nudge();
    emit({ type: 'leaseLost', manager: name });
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
      emit({ type: 'duplicate', manager: name, inputId: pending.inputId });
      return;
    }
    remember(instanceId, next);
    emit({ type: 'input', manager: name, input: pending.input.type });
    if (pending.firedTimer !== undefined) {
      emit({ type: 'timerFired', manager: name, timer: pending.firedTimer });
    }
    // Best effort: the events are stored; readers fill gaps from the store.
    options.bus.publish(result.events).catch(() => {});
    if (laid.commands.length > 0) nudge();
  };

  /** Handles one input to the end (recorded, a duplicate, or the runner stopped); in turn. */
  const stepNow = async (
    instanceId: string,
    pending: PendingInput,
    gen: number,
  ): Promise<'done' | 'stopped'> => {
    let backoff = 50;
    while (running && gen === generation) {
      const loaded = await load(instanceId);
      if (loaded !== 'unavailable') {
        if (skips(loaded, pending)) return 'done';
        const { step: laid, next } = stepFor({
          manager,
          owner,
          instanceId,
          loaded,
          pending,
          now: clock(),
        });
        const result = await processes.record([laid]);
        if (result.isOk()) {
          recorded(instanceId, pending, laid, next, result.value[0]);
          return 'done';
        }
        cache.delete(instanceId);
        if (result.error.type === 'LeaseLost') {
          lose();
          return 'stopped';
        }
        if (result.error.type === 'ConcurrencyError') continue; // reload and decide again
        emit({ type: 'storeError', manager: name, error: result.error.message });
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
          now: clock(),
        });
        states.set(item.instanceId, next);
        laid.push({ item, step: laidOut, next });
      }
      if (laid.length === 0) return 'done';
      if (!running || gen !== generation) return 'stopped';
      const result = await processes.record(laid.map((entry) => entry.step));
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
        lose();
        return 'stopped';
      }
      return alone();
    });

  // Inputs from the log wait here, so that a burst is recorded in a few transactions. The
  // checkpoint (`handled`) moves only past what is recorded.
  let queue: { readonly seq: number; readonly item?: Item }[] = [];
  let flushing: Promise<void> | undefined;
  const flush = async (gen: number) => {
    try {
      while (queue.length > 0 && running && gen === generation) {
        const batch = queue.splice(0, BATCH);
        const items = batch.flatMap((queued) => (queued.item ? [queued.item] : []));
        if (items.length > 0 && (await stepAll(items, gen)) === 'stopped') break;
        const last = batch.at(-1);
        if (last && gen === generation) handled = last.seq;
      }
    } catch (error) {
      broken(error); // decide or select threw: a bug
    }
    flushing = undefined; // no await since the loop's last check: nothing queued is left behind
  };

  const onEvent = async (event: StoredEvent, gen: number) => {
    if (gen !== generation) return;
    const selected = event.aggregateType === streamType ? undefined : manager.select(event);
    if (!selected && queue.length === 0 && !flushing) {
      handled = event.globalSequence;
      return;
    }
    const item: Item | undefined = selected && {
      instanceId: selected.instanceId,
      pending: {
        inputId: event.id,
        input: selected.input,
        checkpoint: event.globalSequence,
        correlationId: event.metadata?.correlationId ?? null,
        causationId: event.id,
      },
    };
    queue.push(item ? { seq: event.globalSequence, item } : { seq: event.globalSequence });
    flushing ??= flush(gen);
    // Backpressure: a full queue holds the subscription until it is written.
    if (queue.length >= BATCH) await flushing;
  };

  const fireTimers = async (gen: number) => {
    while (running && gen === generation) {
      const now = clock();
      const due = await processes.dueTimers(name, now, BATCH);
      if (due.isErr()) emit({ type: 'storeError', manager: name, error: due.error.message });
      const items = (due.isOk() ? due.value : []).map(
        (timer): Item => ({
          instanceId: timer.instanceId,
          pending: {
            inputId: timer.id,
            input: { type: 'TimerFired', data: { timer: timer.name, firedAt: now } },
            correlationId: timer.correlationId,
            firedTimer: timer.id,
          },
        }),
      );
      if (items.length > 0 && (await stepAll(items, gen)) === 'stopped') return;
      if (!due.isOk() || due.value.length < BATCH) await nap(pollMs);
    }
  };

  const fail = async (row: OutboxRow, error: string, permanent: boolean) => {
    const attempts = row.attempts + 1;
    const park = permanent || attempts >= retryMax;
    const now = clock();
    await processes.commandFailed(row.id, {
      attempts,
      status: park ? 'parked' : 'pending',
      nextAttemptAt: park ? now : later(now, retryBaseMs * 2 ** (attempts - 1)),
      error,
    });
    emit({ type: park ? 'parked' : 'retried', manager: name, commandId: row.id, error });
  };

  /** Sends one row; 'sent' when applied (its row is then deleted with the batch's others). */
  const dispatch = async (row: OutboxRow, gen: number): Promise<'sent' | undefined> => {
    const target = options.targets(row.aggregateType);
    if (!target) {
      await fail(row, `no module handles aggregate type ${row.aggregateType}`, true);
      return;
    }
    let result: Awaited<ReturnType<ProcessTarget['send']>>;
    try {
      result = await target.send(row.aggregateId, row.command, {
        commandId: row.id,
        fingerprint: createHash('sha256')
          .update(JSON.stringify([row.aggregateType, row.aggregateId, row.command]))
          .digest('base64url'),
        metadata: {
          ...(row.correlationId ? { correlationId: row.correlationId } : {}),
          causationId: row.causationId,
        },
      });
    } catch (error) {
      // A bug in the target (its decider threw): parked, visible, retryable once fixed.
      await fail(row, `threw: ${error instanceof Error ? error.message : String(error)}`, true);
      return;
    }
    if (result.isOk()) return 'sent';
    const error = result.error;
    if (error.type === 'Rejected') {
      const exists = await target.exists(row.aggregateId);
      if (exists.isErr()) {
        await fail(row, exists.error.message, false);
        return;
      }
      const failure = exists.value ? errorType(error.error) : 'NotFound';
      emit({ type: 'refused', manager: name, commandId: row.id, error: failure });
      await step(
        row.instanceId,
        {
          inputId: deriveId(row.id, 'failed'),
          input: {
            type: 'CommandFailed',
            data: {
              key: row.key,
              aggregateType: row.aggregateType,
              aggregateId: row.aggregateId,
              error: failure,
              message: describe(error.error),
            },
          },
          correlationId: row.correlationId,
          answeredCommand: row.id,
        },
        gen,
      );
      return;
    }
    if (error.type === 'IdempotencyMismatch') {
      // The manager decided a different command for the same input: not deterministic.
      await fail(row, 'IdempotencyMismatch: a different command was sent under this key', true);
      return;
    }
    await fail(row, error.type === 'StoreUnavailable' ? error.message : describe(error), false);
  };

  const dispatchOutbox = async (gen: number) => {
    while (running && gen === generation) {
      outboxDirty = false;
      const due = await processes.dueCommands(name, clock(), BATCH);
      if (due.isErr()) emit({ type: 'storeError', manager: name, error: due.error.message });
      const rows = due.isOk() ? due.value : [];
      const outcomes = await Promise.all(rows.map((row) => dispatch(row, gen)));
      const sent = rows.filter((_, i) => outcomes[i] === 'sent').map((row) => row.id);
      // A failed delete only means a resend, which the command ids answer without appending.
      const cleared = await processes.commandsSent(sent);
      if (cleared.isErr())
        emit({ type: 'storeError', manager: name, error: cleared.error.message });
      for (const commandId of sent) emit({ type: 'sent', manager: name, commandId });
      // Rows recorded while this batch was out are sent now, not at the next poll.
      if (rows.length < BATCH && !outboxDirty) await nap(pollMs);
    }
  };

  const activate = async () => {
    const checkpoint = await processes.checkpoint(name);
    if (checkpoint.isErr()) {
      emit({ type: 'storeError', manager: name, error: checkpoint.error.message });
      return;
    }
    active = true;
    const gen = ++generation;
    cache.clear();
    handled = checkpoint.value;
    saved = checkpoint.value;
    emit({ type: 'leaseAcquired', manager: name });
    subscription = subscribeFrom({
      store: options.store,
      bus: options.bus,
      after: checkpoint.value,
      handle: (event) => onEvent(event, gen),
      ...(options.heads ? { heads: options.heads } : {}),
      onStoreError: (error) => emit({ type: 'storeError', manager: name, error: error.message }),
    });
    subscription.done.catch(broken);
    loops = Promise.all([fireTimers(gen).catch(broken), dispatchOutbox(gen).catch(broken)]);
  };

  /** A bug (decide or select threw): stop consuming, say so, and let the lease go. */
  const broken = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    emit({ type: 'failed', manager: name, error });
    lose();
    void processes.releaseLease(name, owner);
  };

  /** Takes or renews the lease; starts or stops consuming accordingly; saves the checkpoint. */
  const tick = async () => {
    if (failure !== undefined) return;
    const held = await processes.acquireLease(name, owner, leaseMs);
    if (held.isErr()) {
      emit({ type: 'storeError', manager: name, error: held.error.message });
      return;
    }
    if (!held.value) return lose();
    if (!active) return activate();
    if (handled > saved) {
      const position = handled;
      const result = await processes.saveCheckpoint(name, owner, position);
      if (result.isOk()) saved = position;
      else if (result.error.type === 'LeaseLost') lose();
    }
  };

  let leaseLoop: Promise<void> = Promise.resolve();
  return {
    name,
    /** Starts competing for the lease; resolves after the first try. */
    async start() {
      if (running) return;
      running = true;
      await tick();
      leaseLoop = (async () => {
        while (running) {
          await nap(Math.max(10, Math.floor(leaseMs / 3)));
          if (running) await tick();
        }
      })();
    },
    /** Stops consuming and gives the lease up, after the input in hand is recorded. */
    async stop() {
      if (!running) return;
      running = false;
      const wasActive = active;
      lose();
      nudge();
      await leaseLoop;
      await loops; // sends in flight finish and are recorded
      await flushing;
      await turn;
      if (wasActive && handled > saved) {
        await processes.saveCheckpoint(name, owner, handled);
      }
      await processes.releaseLease(name, owner);
    },
    /** Whether this runner holds the lease (and so consumes, fires and sends). */
    isActive: () => active,
    /** Global sequence of the last event fully handled in this process. */
    position: () => handled,
    /** A bug that stopped it, if any. */
    failure: () => failure,
    /** Re-queues a parked command; false if there is no such parked command. */
    retry(commandId: string) {
      return processes.retryParked(name, commandId, clock()).map((found) => {
        if (found) nudge();
        return found;
      });
    },
    overview: (limit: number) => processes.overview(name, limit),
  };
};

export type ProcessRunner = ReturnType<typeof createProcessRunner>;
