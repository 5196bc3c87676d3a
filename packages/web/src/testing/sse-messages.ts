/**
 * Reads an in-process SSE response as it arrives and hands each message (the text between
 * blank lines) to `onMessage`; `cancel` stops reading. For tests of feeds through app.request.
 */
export const onSseMessages = (response: Response, onMessage: (message: string) => void) => {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('the response has no body');
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || !value) return;
      buffer += decoder.decode(value, { stream: true });
      const messages = buffer.split('\n\n');
      buffer = messages.pop() ?? '';
      for (const message of messages) onMessage(message);
    }
  })();
  return { cancel: () => reader.cancel().catch(() => {}) };
};
