import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonBodyError } from './json-body';
import { readBoundedNode, unreadNodeBody } from './node-body';

type Read = { ok: string } | { err: JsonBodyError };

/** A real server on 127.0.0.1 that reads each request's body with readBoundedNode. */
const serve = async (limit: number) => {
  const reads: Promise<Read>[] = [];
  const server = createServer((req, res) => {
    const read = readBoundedNode(req, limit).then((result) =>
      result.match<Read>(
        (bytes) => ({ ok: Buffer.from(bytes).toString('utf8') }),
        (error) => ({ err: error }),
      ),
    );
    reads.push(read);
    void read.then(() => res.end('done'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, reads };
};

let close: (() => void) | undefined;
afterEach(() => close?.());

describe('readBoundedNode', () => {
  it('reads a body sent in pieces, up to the limit', async () => {
    const { server, port, reads } = await serve(8);
    close = () => server.close();
    const req = request({ port, host: '127.0.0.1', method: 'POST' });
    req.write('abcd');
    setTimeout(() => req.end('efgh'), 20);
    req.on('response', (res) => res.resume());
    await expect.poll(() => reads.length).toBe(1);
    expect(await reads[0]).toEqual({ ok: 'abcdefgh' });
  });

  it('stops reading past the limit: TooLarge', async () => {
    const { server, port, reads } = await serve(1024);
    close = () => {
      server.closeAllConnections();
      server.close();
    };
    const req = request({ port, host: '127.0.0.1', method: 'POST' });
    req.on('error', () => {});
    req.write(Buffer.alloc(4096, 1));
    await expect.poll(() => reads.length).toBe(1);
    expect(await reads[0]).toEqual({ err: { type: 'TooLarge' } });
    req.destroy();
  });

  it('a client gone mid-body is Malformed, not a hang', async () => {
    const { server, port, reads } = await serve(1024);
    close = () => server.close();
    const req = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      headers: { 'content-length': '100' },
    });
    req.on('error', () => {});
    req.write('only part');
    await expect.poll(() => reads.length).toBe(1);
    setTimeout(() => req.destroy(), 20);
    expect(await reads[0]).toEqual({
      err: { type: 'Malformed', message: 'the body was cut off' },
    });
  });
});

describe('unreadNodeBody', () => {
  const fake = (fields: Partial<IncomingMessage>) =>
    ({ on: () => {}, listenerCount: () => 0, readableEnded: false, ...fields }) as IncomingMessage;

  it('gives the request when its body is untouched', () => {
    const incoming = fake({});
    expect(unreadNodeBody({ incoming })).toBe(incoming);
  });
  it('not when another reader is attached or it was read, nor off Node', () => {
    expect(unreadNodeBody({ incoming: fake({ listenerCount: () => 1 }) })).toBeUndefined();
    expect(unreadNodeBody({ incoming: fake({ readableEnded: true }) })).toBeUndefined();
    expect(unreadNodeBody(undefined)).toBeUndefined();
    expect(unreadNodeBody({})).toBeUndefined();
  });
});
