import { SSE_HEADERS } from './sse-frame';

/** A short SSE answer to one Datastar action: a few frames, then the end of the stream. */
export const sseFrames = (frames: readonly string[]): Response =>
  new Response(frames.join(''), { status: 200, headers: SSE_HEADERS });

/** A streamed SSE answer to one Datastar action (frames as they come, then the end). */
export const sseStream = (body: ReadableStream<Uint8Array>): Response =>
  new Response(body, { status: 200, headers: SSE_HEADERS });
