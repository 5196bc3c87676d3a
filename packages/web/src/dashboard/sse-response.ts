/** A short SSE answer to one Datastar action: a few frames, then the end of the stream. */
export const sseFrames = (frames: readonly string[]): Response =>
  new Response(frames.join(''), {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
    },
  });
