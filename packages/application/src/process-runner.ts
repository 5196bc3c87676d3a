import { type CatchUpSubscription, subscribeFrom } from './catch-up-subscription';
import type { EventBus } from './event-bus';
import type { EventStore, StoredEvent } from './event-store';
import type { HeadSource } from './head-watcher';
import { type AnyProcessManager, deriveId, processStreamType } from './process-manager';
import { createOutboxSender } from './process-outbox';
import { createInstanceSteps, type Item } from './process-steps';
import type { ProcessStore } from './process-store';
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

/** Inputs per transaction, timers and outbox rows per poll. */
const BATCH = 64;

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
  /** Loops asleep, by what wakes them early: new outbox rows, or anything (stop, lease lost). */
  type Loop = 'outbox' | 'timers' | 'lease';
  const wakers = new Set<{ readonly loop: Loop; readonly wake: () => void }>();
  /** Set by a nudge: new outbox rows the dispatcher has not looked for yet. */
  let outboxDirty = false;
  const wake = (loop?: Loop) => {
    for (const waker of [...wakers]) if (loop === undefined || waker.loop === loop) waker.wake();
  };
  const nudge = () => {
    outboxDirty = true;
    wake('outbox');
  };
  const nap = (loop: Loop, ms: number) =>
    new Promise<void>((resolve) => {
      const waker = {
        loop,
        wake: () => {
          clearTimeout(timer);
          wakers.delete(waker);
          resolve();
        },
      };
      const timer = setTimeout(waker.wake, ms);
      wakers.add(waker);
    });

  const lose = () => {
    if (!active) return;
    active = false;
    generation++;
    subscription?.stop();
    subscription = undefined;
    queue = [];
    steps.forget();
    wake();
    emit({ type: 'leaseLost', manager: name });
  };

  const steps = createInstanceSteps({
    manager,
    owner,
    store: options.store,
    processes,
    bus: options.bus,
    clock,
    emit,
    current: (gen) => running && gen === generation,
    onLeaseLost: () => lose(),
    onCommands: () => nudge(),
  });
  const { step, stepAll } = steps;

  // Inputs from the log wait here, so that a burst is recorded in a few transactions. The
  // checkpoint (`handled`) moves only past what is recorded.
  let queue: { readonly seq: number; readonly item?: Item }[] = [];
  let flushing: Promise<void> | undefined;
  const flush = async (gen: number) => {
    // Always asynchronous, so `flushing` is set before it can be cleared below.
    await null;
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
    // Unless a new lease term queued inputs while this one (of an older term) was ending.
    if (queue.length > 0 && running && active) flushing = flush(generation);
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
      if (!due.isOk() || due.value.length < BATCH) await nap('timers', pollMs);
    }
  };

  const outbox = createOutboxSender({
    manager: name,
    processes,
    targets: options.targets,
    clock,
    retryMax,
    retryBaseMs,
    emit,
    // A refusal goes back to its instance, as an input recorded like any other.
    refused: (row, failure) =>
      step(
        row.instanceId,
        {
          inputId: deriveId(row.id, 'failed'),
          input: { type: 'CommandFailed', data: failure },
          correlationId: row.correlationId,
          answeredCommand: row.id,
        },
        generation,
      ),
  });

  const dispatchOutbox = async (gen: number) => {
    while (running && gen === generation) {
      outboxDirty = false;
      const due = await outbox.sendDue(BATCH);
      // Rows recorded while this batch was out are sent now, not at the next poll.
      if (due < BATCH && !outboxDirty) await nap('outbox', pollMs);
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
    steps.forget();
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
          await nap('lease', Math.max(10, Math.floor(leaseMs / 3)));
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
      wake();
      await leaseLoop;
      await loops; // sends in flight finish and are recorded
      await flushing;
      await steps.idle();
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
