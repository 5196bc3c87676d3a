import { createInMemoryEventStore } from '@ironstar/application/testing';
import { describe, expect, it } from 'vitest';
import { stepFrom } from './travel-step';

// Sequences 1..30: every third event is a Todo's, the others an analytics session's.
const seed = async () => {
  const store = createInMemoryEventStore();
  for (let i = 1; i <= 30; i++) {
    await store.append({
      aggregateType: i % 3 === 0 ? 'Todo' : 'QuerySession',
      aggregateId: `a${i}`,
      expectedVersion: 0,
      events: [{ id: `e${i}`, type: 'Happened', data: {} }],
    });
  }
  return store;
};

describe('time travel steps', () => {
  it('steps to the nearest event of a travelling aggregate, skipping the others', async () => {
    const store = await seed();
    const step = (at: number, direction: 'back' | 'forward') =>
      stepFrom(store, { at, direction, types: ['Todo'], head: 30 }).then((r) => r._unsafeUnwrap());
    expect(await step(3, 'forward')).toBe(6);
    expect(await step(4, 'forward')).toBe(6);
    expect(await step(6, 'back')).toBe(3);
    expect(await step(3, 'back')).toBe(0);
    expect(await step(30, 'forward')).toBe(30);
    expect(await step(29, 'back')).toBe(27);
  });

  it('stops at the head when nothing travelling follows', async () => {
    const store = await seed();
    const to = await stepFrom(store, { at: 1, direction: 'forward', types: ['Order'], head: 30 });
    expect(to._unsafeUnwrap()).toBe(30);
  });
});
