import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonBody, readBounded } from './json-body';

const bytes = (text: string) => new TextEncoder().encode(text);
const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes(chunk));
      controller.close();
    },
  });

describe('readBounded', () => {
  it('reads a body up to the limit', async () => {
    const read = await readBounded(streamOf('ab', 'cd'), 4);
    expect(new TextDecoder().decode(read._unsafeUnwrap())).toBe('abcd');
  });
  it('stops reading past the limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    expect((await readBounded(endless, 4096))._unsafeUnwrapErr()).toEqual({ type: 'TooLarge' });
    expect(pulled).toBeLessThan(10);
  });
});

describe('parseJsonBody', () => {
  it('parses well-formed JSON, surrogate pairs included', () => {
    expect(
      parseJsonBody(bytes('{"text":"\\ud834\\udd1e ok","n":[1,{"a":null}]}'))._unsafeUnwrap(),
    ).toEqual({
      text: '𝄞 ok',
      n: [1, { a: null }],
    });
  });
  it.each([
    ['a lone high surrogate escape', '{"text":"lone \\ud800"}'],
    ['a lone low surrogate escape', '{"text":"\\udc00"}'],
    ['one deep in an array', '{"a":[[{"b":"\\ud800"}]]}'],
    ['one in a key', '{"\\ud800":1}'],
  ])('refuses %s as invalid', (_, json) => {
    expect(parseJsonBody(bytes(json))._unsafeUnwrapErr()).toMatchObject({ type: 'Invalid' });
  });
  it('refuses nesting beyond the limit, without recursion', () => {
    const ok = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(parseJsonBody(bytes(ok)).isOk()).toBe(true);
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    expect(parseJsonBody(bytes(deep))._unsafeUnwrapErr()).toMatchObject({
      type: 'Invalid',
      message: expect.stringMatching(/nested/),
    });
  });
  it('refuses invalid UTF-8 rather than repairing it', () => {
    const broken = new Uint8Array([
      0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d,
    ]);
    expect(parseJsonBody(broken)._unsafeUnwrapErr()).toMatchObject({
      type: 'Malformed',
      message: 'body is not valid UTF-8',
    });
  });
  it.each([[''], ['{'], ['{"a":1}x'], ['NaN']])('refuses %j as malformed', (json) => {
    expect(parseJsonBody(bytes(json))._unsafeUnwrapErr()).toMatchObject({ type: 'Malformed' });
  });
});
