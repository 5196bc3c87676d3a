import type { ProjectionListener, ProjectionRunner, StoredEvent } from '@ironstar/application';
import { describe, expect, it, vi } from 'vitest';
import { createPendingWork, type PendingItem } from './pending-work';

// A hand-driven projection runner: the unit under test only reads state() and onChange().
const fakePending = () => {
  const items = new Map<string, PendingItem>();
  const listeners = new Set<ProjectionListener<Map<string, PendingItem>>>();
  const change = (id: string, present: boolean) => {
    if (present) items.set(id, { id });
    else items.delete(id);
    const event = { aggregateId: id } as StoredEvent;
    for (const listener of listeners) listener(items, event, false);
  };
  const runner = {
    state: () => items,
    onChange: (listener: ProjectionListener<Map<string, PendingItem>>) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as ProjectionRunner<Map<string, PendingItem>>;
  return { runner, items, change };
};

const log = { warn: () => {} };

describe('pending work', () => {
  it('works what is pending at start and what becomes pending later, once each', async () => {
    const pending = fakePending();
    pending.change('a', true);
    const done: string[] = [];
    const work = createPendingWork({
      name: 't',
      pending: pending.runner,
      maxConcurrent: 4,
      log,
      work: async (item) => {
        done.push(item.id);
        return 'done';
      },
    });
    work.start();
    pending.change('b', true);
    await vi.waitFor(() => expect(done.sort()).toEqual(['a', 'b']));
    // Its answer stored, an item leaves the work list; nothing is left queued or running.
    pending.change('a', false);
    await vi.waitFor(() => expect(work.load()).toEqual({ queued: 0, running: 0 }));
    expect(done.sort()).toEqual(['a', 'b']);
    work.stop();
  });

  it('runs at most maxConcurrent at once; the others wait their turn', async () => {
    const pending = fakePending();
    for (const id of ['a', 'b', 'c', 'd', 'e']) pending.change(id, true);
    let running = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const done: string[] = [];
    const work = createPendingWork({
      name: 't',
      pending: pending.runner,
      maxConcurrent: 2,
      log,
      work: async (item) => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        done.push(item.id);
        return 'done';
      },
    });
    work.start();
    expect(work.load()).toEqual({ queued: 3, running: 2 });
    while (done.length < 5) {
      await vi.waitFor(() => expect(release.length).toBeGreaterThan(0));
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(most).toBe(2);
    work.stop();
  });

  it('retries a failed item with backoff while it is pending, and stops when it leaves', async () => {
    const pending = fakePending();
    pending.change('a', true);
    const tries: string[] = [];
    const work = createPendingWork({
      name: 't',
      pending: pending.runner,
      maxConcurrent: 1,
      log,
      backoffMs: () => 1,
      work: async (item) => {
        tries.push(item.id);
        if (tries.length === 2) throw new Error('store down'); // a throw counts as a retry
        return 'retry';
      },
    });
    work.start();
    await vi.waitFor(() => expect(tries.length).toBeGreaterThanOrEqual(3));
    pending.change('a', false);
    const after = tries.length;
    // Once the try in flight ends, no retry is scheduled for an item no longer pending.
    await vi.waitFor(() => expect(work.load()).toEqual({ queued: 0, running: 0 }));
    expect(tries.length).toBeLessThanOrEqual(after + 1);
    work.stop();
  });
});
