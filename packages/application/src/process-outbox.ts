import { createHash } from 'node:crypto';
import type { CommandFailed } from './process-manager';
import type { ProcessRunnerEvent } from './process-runner';
import type { OutboxRow, ProcessStore } from './process-store';
import type { ProcessTarget } from './process-target';

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
 * Sends a manager's due outbox rows through their targets, under their idempotency keys.
 * Applied rows are deleted together; a refusal goes back to the manager (`refused`); a
 * transient failure is retried with doubling waits, then parked; a permanent one (no target
 * module, a reused key, a target that threw) is parked at once. Every outcome is reported.
 */
export const createOutboxSender = (deps: {
  readonly manager: string;
  readonly processes: ProcessStore;
  readonly targets: (aggregateType: string) => ProcessTarget | undefined;
  readonly clock: () => string;
  readonly retryMax: number;
  readonly retryBaseMs: number;
  readonly emit: (event: ProcessRunnerEvent) => void;
  readonly refused: (row: OutboxRow, failure: CommandFailed['data']) => Promise<unknown>;
}) => {
  const { manager, processes, emit } = deps;

  const fail = async (row: OutboxRow, error: string, permanent: boolean) => {
    const attempts = row.attempts + 1;
    const park = permanent || attempts >= deps.retryMax;
    const now = deps.clock();
    const saved = await processes.commandFailed(row.id, {
      attempts,
      status: park ? 'parked' : 'pending',
      nextAttemptAt: park ? now : later(now, deps.retryBaseMs * 2 ** (attempts - 1)),
      error,
    });
    // Unsaved, the row stays as it was and is tried again at the next poll.
    if (saved.isErr()) emit({ type: 'storeError', manager, error: saved.error.message });
    emit({ type: park ? 'parked' : 'retried', manager, commandId: row.id, error });
  };

  /** Sends one row; 'sent' when applied (its row is then deleted with the batch's others). */
  const send = async (row: OutboxRow): Promise<'sent' | undefined> => {
    const target = deps.targets(row.aggregateType);
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
      emit({ type: 'refused', manager, commandId: row.id, error: failure });
      await deps.refused(row, {
        key: row.key,
        aggregateType: row.aggregateType,
        aggregateId: row.aggregateId,
        error: failure,
        message: describe(error.error),
      });
      return;
    }
    if (error.type === 'IdempotencyMismatch') {
      // The manager decided a different command for the same input: not deterministic.
      await fail(row, 'IdempotencyMismatch: a different command was sent under this key', true);
      return;
    }
    await fail(row, error.type === 'StoreUnavailable' ? error.message : describe(error), false);
  };

  return {
    /** Sends the rows due now (at most `limit`, at once); answers how many were due. */
    async sendDue(limit: number): Promise<number> {
      const due = await processes.dueCommands(manager, deps.clock(), limit);
      if (due.isErr()) {
        emit({ type: 'storeError', manager, error: due.error.message });
        return 0;
      }
      const rows = due.value;
      const outcomes = await Promise.all(rows.map(send));
      const sent = rows.filter((_, i) => outcomes[i] === 'sent').map((row) => row.id);
      // A failed delete only means a resend, which the command ids answer without appending.
      const cleared = await processes.commandsSent(sent);
      if (cleared.isErr()) emit({ type: 'storeError', manager, error: cleared.error.message });
      for (const commandId of sent) emit({ type: 'sent', manager, commandId });
      return rows.length;
    },
  };
};
