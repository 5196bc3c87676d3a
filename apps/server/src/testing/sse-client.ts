import { get, type IncomingMessage } from 'node:http';

/**
 * A raw SSE reader over node:http (no retries, no decompression): it collects the ids it
 * sees and can stop reading, like a slow or stuck browser.
 */
export const openSseClient = (
  url: string,
  headers: Record<string, string> = {},
  /** Start paused: nothing is read until resume() (many clients opening at once). */
  options: { paused?: boolean } = {},
) =>
  new Promise<{
    ids: number[];
    response: IncomingMessage;
    pause(): void;
    resume(): void;
    close(): void;
  }>((resolve, reject) => {
    const ids: number[] = [];
    const request = get(
      url,
      { headers: { accept: 'text/event-stream', ...headers } },
      (response) => {
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          const messages = buffer.split('\n\n');
          buffer = messages.pop() ?? '';
          for (const message of messages) {
            const id = /^id: (\d+)$/m.exec(message)?.[1];
            if (id !== undefined) ids.push(Number(id));
          }
        });
        response.on('error', () => {});
        if (options.paused) response.pause();
        resolve({
          ids,
          response,
          pause: () => response.pause(),
          resume: () => response.resume(),
          close: () => request.destroy(),
        });
      },
    );
    request.on('error', reject);
  });
