import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { getLibsqlEventStore } from '@ironstar/infrastructure';
import { type Figure, figure } from '../results';
import { now, removeDb } from '../support';

/**
 * The event store alone, in this process (no HTTP, no bus): 64 loops each appending one-event
 * creates with fresh ids, as the command handler does, at synchronous=FULL. Says what the
 * write path costs apart from the rest of a command: appends/s, how many share a transaction,
 * and the CPU time this process spends per append (SQLite and fsync run on its thread).
 */
export const storeScenario = async (dir: string, quick: boolean): Promise<Figure[]> => {
  const path = join(dir, 'store.db');
  removeDb(path);
  const store = await getLibsqlEventStore({ url: `file:${path}`, synchronous: 'FULL' });
  try {
    const seconds = quick ? 1 : 5;
    let appended = 0;
    const end = now() + seconds * 1000;
    const cpu = process.cpuUsage();
    const started = now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (now() < end) {
          const id = randomUUID();
          const result = await store.append({
            aggregateType: 'Todo',
            aggregateId: id,
            expectedVersion: 0,
            events: [
              {
                id: randomUUID(),
                type: 'TodoCreated',
                version: 2,
                data: { id, text: 'bench', priority: 'normal', createdAt: '2026-12-01T00:00:00Z' },
                metadata: { requestId: 'r', correlationId: 'c', actor: 'local', commandId: id },
              },
            ],
          });
          if (result.isErr()) throw new Error(`append failed: ${result.error.type}`);
          appended++;
        }
      }),
    );
    const elapsed = (now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return [
      figure({
        scenario: 'store',
        name: 'appends/s, 64 concurrent appenders, synchronous=FULL',
        unit: '/s',
        ironstar: appended / elapsed,
        baseline: null,
        baselineName: '',
      }),
      figure({
        scenario: 'store',
        name: 'appends per write transaction',
        unit: '',
        ironstar: store.stats.appends / Math.max(1, store.stats.transactions),
        baseline: null,
        baselineName: '',
      }),
      figure({
        scenario: 'store',
        name: 'CPU time per append (SQLite and fsync on this thread)',
        unit: 'µs',
        ironstar: (used.user + used.system) / appended,
        baseline: null,
        baselineName: '',
      }),
    ];
  } finally {
    await store.close();
    removeDb(path);
  }
};
