import type { SseConnection } from './sse-hub';

/**
 * Sends the newest frame of a changing source, coalescing: while the client is not taking
 * data nothing is queued, and when it drains it gets only the state it has not seen.
 */
export const latestPush = (
  connection: SseConnection,
  version: () => number,
  frame: () => Uint8Array | undefined,
  /** The version the client already has (its Last-Event-ID), if any. */
  alreadySent?: number,
) => {
  let sent = alreadySent;
  let waiting = false;
  const push = () => {
    const current = version();
    if (current === sent) return;
    if (!connection.writable()) {
      if (!waiting) {
        waiting = true;
        connection.onDrain(() => {
          waiting = false;
          push();
        });
      }
      return;
    }
    const bytes = frame();
    if (!bytes) return;
    connection.send(bytes);
    sent = current;
  };
  return push;
};
