import type { IncomingMessage } from 'node:http';
import { err, ok, type Result } from 'neverthrow';
import type { JsonBodyError } from './json-body';

/**
 * Node's own request under Hono's node adapter (`c.env.incoming`), when its body is still
 * unread: reading it directly skips the web `Request` and stream the adapter would otherwise
 * build for it, most of a small command's cost besides HTTP itself.
 */
export const unreadNodeBody = (env: unknown): IncomingMessage | undefined => {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function') return undefined;
  // Consumed, or being consumed (a web stream over it attaches a data listener): not ours.
  if (incoming.readableEnded || incoming.listenerCount('data') > 0) return undefined;
  return incoming;
};

/**
 * At most `limit` bytes of a Node request's body; more is `TooLarge` and the rest is left
 * unread (the adapter drains or closes it after the answer). A body cut off is `Malformed`.
 */
export const readBoundedNode = (
  incoming: IncomingMessage,
  limit: number,
): Promise<Result<Uint8Array<ArrayBuffer>, JsonBodyError>> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Result<Uint8Array<ArrayBuffer>, JsonBodyError>) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onCutOff);
      incoming.off('close', onCutOff);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        incoming.pause();
        finish(err({ type: 'TooLarge' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      finish(ok(bytes));
    };
    const onCutOff = () => finish(err({ type: 'Malformed', message: 'the body was cut off' }));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onCutOff);
    incoming.on('close', onCutOff);
  });
