import { describe, expect, it } from 'vitest';
import { action, mergeFragments, mergeSignals, removeFragments } from './datastar-wire';

// Golden bytes: what the beta.11 client parses (one `data: <key> <value>` line per line).
describe('Datastar wire format (1.0.0-beta.11)', () => {
  it('encodes a fragment merge with its id, one data line per HTML line', () => {
    expect(mergeFragments('<ul id="todos">\n<li>a</li>\r\n</ul>', { id: 42 })).toBe(
      'event: datastar-merge-fragments\n' +
        'id: 42\n' +
        'data: fragments <ul id="todos">\n' +
        'data: fragments <li>a</li>\n' +
        'data: fragments </ul>\n\n',
    );
  });

  it('adds selector and merge mode only when asked', () => {
    expect(mergeFragments('<p>x</p>', { selector: '#log', mergeMode: 'append' })).toBe(
      'event: datastar-merge-fragments\n' +
        'data: selector #log\n' +
        'data: mergeMode append\n' +
        'data: fragments <p>x</p>\n\n',
    );
  });

  it('encodes a fragment removal by selector', () => {
    expect(removeFragments('#todo-1', { id: 7 })).toBe(
      'event: datastar-remove-fragments\nid: 7\ndata: selector #todo-1\n\n',
    );
  });

  it('encodes signals as JSON on one line', () => {
    expect(mergeSignals({ text: 'a\nb', n: 1 }, { onlyIfMissing: true })).toBe(
      'event: datastar-merge-signals\n' +
        'data: onlyIfMissing true\n' +
        'data: signals {"text":"a\\nb","n":1}\n\n',
    );
  });

  it('writes action expressions', () => {
    expect(
      action('get', '/feed', { retryForever: true, retryMaxWaitMs: 5000, openWhenHidden: true }),
    ).toBe("@get('/feed', {retryMaxCount: Infinity, retryMaxWaitMs: 5000, openWhenHidden: true})");
    expect(action('post', '/api/commands/todo')).toBe("@post('/api/commands/todo')");
    expect(action('post', '/x', { headers: { 'If-Match': '"3"' } })).toBe(
      `@post('/x', {headers: {"If-Match": "\\"3\\""}})`,
    );
    expect(action('post', '/x', { abortExpression: 'window.c.signal' })).toBe(
      "@post('/x', {abort: (window.c.signal)})",
    );
  });
});
