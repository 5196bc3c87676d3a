/** One Server-Sent Events message, as the text/event-stream format spells it. */
export type SseMessage = {
  readonly event?: string;
  readonly id?: number | string;
  readonly retry?: number;
  /** Each line becomes one `data:` line; line breaks inside are split, never passed through. */
  readonly data?: readonly string[];
};

const NEWLINES = /\r\n|\r|\n/;

export const encodeSseMessage = (message: SseMessage): string => {
  let out = '';
  if (message.event !== undefined) out += `event: ${singleLine(message.event)}\n`;
  if (message.id !== undefined) out += `id: ${singleLine(String(message.id))}\n`;
  if (message.retry !== undefined) out += `retry: ${Math.trunc(message.retry)}\n`;
  for (const line of message.data ?? []) {
    for (const part of line.split(NEWLINES)) out += `data: ${part}\n`;
  }
  return `${out}\n`;
};

/** A comment line: ignored by clients, keeps proxies and idle timers from closing the stream. */
export const encodeSseComment = (text: string): string => `: ${singleLine(text)}\n\n`;

const singleLine = (value: string) => value.replace(/[\r\n]/g, ' ');

/** The headers of every SSE answer, long-lived feed or short Datastar reply. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
};
