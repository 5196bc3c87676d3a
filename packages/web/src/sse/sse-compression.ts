import {
  type BrotliCompress,
  constants,
  createBrotliCompress,
  createGzip,
  type Gzip,
} from 'node:zlib';

export type SseEncoding = 'br' | 'gzip';

/** Brotli if the client takes it, else gzip, else none. q=0 means "not acceptable". */
export const negotiateEncoding = (acceptEncoding: string | undefined): SseEncoding | undefined => {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => !/;\s*q=0(?:\.0*)?$/.test(part))
      .map((part) => part.split(';')[0]?.trim()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
};

/**
 * A compressor for one SSE connection that flushes after every message, so nothing waits in
 * its buffer: each event reaches the browser as soon as it is written.
 */
export const createFlushingCompressor = (
  encoding: SseEncoding,
  onData: (chunk: Uint8Array) => void,
) => {
  const stream: Gzip | BrotliCompress =
    encoding === 'br'
      ? createBrotliCompress({
          params: {
            // Fast settings: SSE frames are small and latency matters more than ratio.
            [constants.BROTLI_PARAM_QUALITY]: 4,
            [constants.BROTLI_PARAM_LGWIN]: 18,
          },
        })
      : createGzip({ level: 6 });
  const flushKind = encoding === 'br' ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH;
  stream.on('data', (chunk: Buffer) => onData(chunk));
  stream.on('error', () => {}); // only after close; the connection is gone then
  return {
    write(chunk: Uint8Array) {
      stream.write(chunk);
      stream.flush(flushKind);
    },
    close() {
      stream.destroy();
    },
  };
};
