import { createUpcasterChain } from '@ironstar/application';
import { LOCAL_USER } from '@ironstar/web';
import { describe, expect, it } from 'vitest';
import { todoAggregate } from './todo-aggregate';
import { TodoId } from './todo-id';
import { TodoPriority } from './todo-priority';
import { TodoText } from './todo-text';
import { FIRST_OWNER, todoUpcasters } from './todo-upcasters';

describe('TodoId', () => {
  it('accepts a UUID and lower-cases it', () => {
    expect(TodoId.parse('0B3C8A52-7F51-4D0E-9C1A-2F6F1D9B8E11')._unsafeUnwrap()).toBe(
      '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11',
    );
  });
  it.each([
    undefined,
    42,
    '',
    'not-a-uuid',
    '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11x',
    // Not a string, though it turns into a UUID when coerced (as RegExp.test would).
    { toString: () => '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11' },
  ])('refuses %j', (raw) => {
    expect(TodoId.parse(raw)._unsafeUnwrapErr()).toEqual({
      type: 'ValidationError',
      field: 'id',
      message: 'id must be a UUID',
    });
  });
});

describe('TodoText', () => {
  it('trims', () => expect(TodoText.parse('  milk  ')._unsafeUnwrap()).toBe('milk'));
  it('keeps hostile markup as plain text (escaping is the renderer’s job)', () =>
    expect(TodoText.parse('<img src=x onerror=alert(1)>').isOk()).toBe(true));
  it('accepts a single character', () => expect(TodoText.parse(' a ')._unsafeUnwrap()).toBe('a'));
  it('accepts exactly 500 characters, counted as code points', () => {
    expect(TodoText.parse('a'.repeat(500)).isOk()).toBe(true);
    expect(TodoText.parse('😀'.repeat(500)).isOk()).toBe(true);
  });
  it.each([
    ['   ', 'text must be 1-500 characters'],
    ['', 'text must be 1-500 characters'],
    ['a'.repeat(501), 'text must be 1-500 characters'],
    [null, 'text must be a string'],
    [{}, 'text must be a string'],
    ['line\nbreak', 'text must not contain control characters'],
    ['tab\there', 'text must not contain control characters'],
  ])('refuses %j: %s', (raw, message) => {
    expect(TodoText.parse(raw)._unsafeUnwrapErr()).toEqual({
      type: 'ValidationError',
      field: 'text',
      message,
    });
  });
  it.each([
    ['a lone high surrogate', 'lone \ud800'],
    ['a lone low surrogate', 'x\udc00y'],
    ['a reversed pair', '\udc00\ud800'],
    ['a lone surrogate that trim() would not reach', '\ud800   '],
  ])('refuses %s', (_, raw) => {
    expect(TodoText.parse(raw)._unsafeUnwrapErr().message).toMatch(/well-formed/);
  });
  it.each([
    ['RLO', 'invoice \u202Efdp.exe'],
    ['LRE', 'a\u202Ab'],
    ['PDF', 'a\u202Cb'],
    ['RLI', 'a\u2067b'],
    ['PDI', 'a\u2069b'],
  ])('refuses the bidi control %s', (_, raw) => {
    expect(TodoText.parse(raw)._unsafeUnwrapErr().message).toMatch(/bidi/);
  });
  it.each([
    ['zero-width spaces', '\u200B\u200B'],
    ['a zero-width joiner and word joiner', '\u200D\u2060'],
    ['a BOM', '\uFEFF'],
    ['variation selectors', '\uFE0F\uFE0E'],
    ['Hangul fillers', '\u3164\uFFA0\u115F'],
    ['a blank Braille pattern', '\u2800'],
    ['no-break and ideographic spaces', '\u00A0\u3000'],
    ['combining marks alone', '\u0301\u0308'],
    ['a soft hyphen', '\u00AD'],
    ['a left-to-right mark alone', '\u200E'],
  ])('refuses text that renders as nothing: %s', (_, raw) => {
    expect(TodoText.parse(raw)._unsafeUnwrapErr().message).toMatch(/(visible|1-500)/);
  });
  it.each([
    ['right-to-left text with marks', 'שלום \u200Fעולם'],
    ['an emoji ZWJ sequence', '👨\u200D👩\u200D👧'],
    ['an emoji with a variation selector', '❤\uFE0F'],
    ['a surrogate pair', '𝄞 music'],
    ['a combining accent on a letter', 'cafe\u0301'],
  ])('accepts %s', (_, raw) => {
    expect(TodoText.parse(raw)._unsafeUnwrap()).toBe(raw);
  });
});

describe('TodoPriority', () => {
  it('defaults to normal and accepts the three levels', () => {
    for (const absent of [undefined, null, ''])
      expect(TodoPriority.parse(absent)._unsafeUnwrap()).toBe('normal');
    for (const p of ['low', 'normal', 'high'])
      expect(TodoPriority.parse(p)._unsafeUnwrap()).toBe(p);
  });
  it('refuses anything else', () => {
    for (const raw of ['urgent', 'HIGH', 0, {}]) {
      expect(TodoPriority.parse(raw)._unsafeUnwrapErr()).toEqual({
        type: 'ValidationError',
        field: 'priority',
        message: 'priority must be one of low, normal, high',
      });
    }
  });
});

describe('Todo upcasters', () => {
  const lift = (eventType: string, fromVersion: number) =>
    todoUpcasters.find((u) => u.eventType === eventType && u.fromVersion === fromVersion);

  it('lift TodoCreated v1 to v2 with normal priority, keeping every other field', () => {
    expect(lift('TodoCreated', 1)?.upcast({ id: 'x', text: 'old', createdAt: 'T' })).toEqual({
      id: 'x',
      text: 'old',
      createdAt: 'T',
      priority: 'normal',
    });
  });

  it("give todos stored before owners to the local user, so existing data stays that user's", () => {
    const v2 = { id: 'x', text: 'old', priority: 'high', createdAt: 'T' };
    expect(lift('TodoCreated', 2)?.upcast(v2)).toEqual({ ...v2, owner: 'local' });
    const restored = { id: 'x', text: 'old', priority: 'low', createdAt: 'T', completedAt: null };
    expect(lift('TodoRestored', 1)?.upcast(restored)).toEqual({ ...restored, owner: 'local' });
    expect(LOCAL_USER.id).toBe(FIRST_OWNER);
    // The chain ends at the versions the aggregate declares.
    expect(todoAggregate.events.TodoCreated).toBe(3);
    expect(todoAggregate.events.TodoRestored).toBe(2);
  });

  it('lift a v1 TodoCreated all the way, through the aggregate reader', () => {
    const chain = createUpcasterChain(todoUpcasters);
    const stored = {
      globalSequence: 1,
      id: 'e1',
      aggregateType: 'Todo',
      aggregateId: 'x',
      aggregateSequence: 1,
      eventType: 'TodoCreated',
      eventVersion: 1,
      payload: { id: 'x', text: 'old', createdAt: 'T' },
      metadata: null,
      createdAt: 'T',
    };
    expect(chain(stored)).toMatchObject({
      eventVersion: 3,
      payload: { id: 'x', text: 'old', createdAt: 'T', priority: 'normal', owner: 'local' },
    });
  });
});
