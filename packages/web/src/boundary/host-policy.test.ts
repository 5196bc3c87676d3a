import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostnameOf, LOOPBACK_HOSTS } from './host-policy';

describe('hostnameOf', () => {
  it.each([
    ['localhost', 'localhost'],
    ['LocalHost:3000', 'localhost'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:3000', '[::1]'],
    ['[0:0:0:0:0:0:0:1]', '[::1]'],
    ['example.com.', 'example.com'],
  ])('reads %j as %j', (raw, name) => expect(hostnameOf(raw)).toBe(name));

  it.each([
    [''],
    ['evil.example@localhost'],
    ['localhost:99999'],
    ['localhost:'],
    ['local host'],
    ['localhost/x'],
    ['::1'],
    ['[::1'],
    ['..'],
    ['.localhost'],
    ['a'.repeat(300)],
  ])('refuses %j', (raw) => expect(hostnameOf(raw)).toBeUndefined());
});

describe('a host policy', () => {
  const loopback = createHostPolicy(LOOPBACK_HOSTS);

  it('allows the loopback names on any port, case-insensitively', () => {
    for (const host of ['localhost', 'LOCALHOST:3000', '127.0.0.1:1', '[::1]:3000']) {
      expect(loopback.allowsHost(host)).toBe(true);
    }
  });

  it('refuses other names, look-alikes and a missing header', () => {
    for (const host of [
      'evil.example',
      'localhost.evil.example',
      'evil.example:3000',
      '127.0.0.2',
      '2130706433',
      '0.0.0.0',
      'localhost@evil.example',
      undefined,
    ]) {
      expect(loopback.allowsHost(host)).toBe(false);
    }
  });

  it('allows origins of allowed hosts only, never null', () => {
    expect(loopback.allowsOrigin('http://localhost:3000')).toBe(true);
    expect(loopback.allowsOrigin('https://[::1]')).toBe(true);
    for (const origin of [
      'null',
      'http://evil.example',
      'http://localhost.evil.example',
      'file://localhost',
      'chrome-extension://abc',
      'garbage',
    ]) {
      expect(loopback.allowsOrigin(origin)).toBe(false);
    }
  });

  it('takes configured names in any spelling', () => {
    const policy = createHostPolicy(['Todo.Example.com:8443', '::1', '10.0.0.5']);
    expect(policy.hosts).toEqual(['todo.example.com', '[::1]', '10.0.0.5']);
    expect(policy.allowsHost('todo.example.com')).toBe(true);
    expect(policy.allowsHost('localhost')).toBe(false);
    expect(() => createHostPolicy(['evil example'])).toThrow(/not a host name/);
  });

  it("allows every well-formed host only when told '*'", () => {
    const any = createHostPolicy('*');
    expect(any.allowsHost('evil.example')).toBe(true);
    expect(any.allowsHost('evil example')).toBe(false);
    expect(any.allowsOrigin('http://evil.example')).toBe(true);
    expect(any.allowsOrigin('null')).toBe(false);
  });
});
