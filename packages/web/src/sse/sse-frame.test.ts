import { describe, expect, it } from 'vitest';
import { encodeSseComment, encodeSseMessage } from './sse-frame';

describe('SSE framing', () => {
  it('writes a plain message with id and data', () => {
    expect(encodeSseMessage({ id: 7, data: ['{"a":1}'] })).toBe('id: 7\ndata: {"a":1}\n\n');
  });
  it('never lets a line break inside a field start a new field', () => {
    expect(encodeSseMessage({ event: 'x\ny', data: ['a\r\nretry: 1\rb'] })).toBe(
      'event: x y\ndata: a\ndata: retry: 1\ndata: b\n\n',
    );
  });
  it('writes retry and comments', () => {
    expect(encodeSseMessage({ retry: 1000 })).toBe('retry: 1000\n\n');
    expect(encodeSseComment('keep-alive')).toBe(': keep-alive\n\n');
  });
});
