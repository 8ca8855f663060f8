/** One server-sent event, or a comment line (`comment` set). */
export type SseMessage = { id?: string; event?: string; data?: string; comment?: string };

/**
 * Reads a `text/event-stream` response message by message. `next(match)` resolves with the first message (from
 * the start of the unread ones) that matches, waiting for more bytes as needed: the test waits on the stream
 * itself, never on a timer.
 */
export function readSse(res: Response) {
  if (!res.body) throw new Error('no body');
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseMessage[] = [];
  function parse() {
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event') message[field] = value;
        if (field === 'data') message.data = message.data === undefined ? value : `${message.data}\n${value}`;
      }
      queue.push(message);
    }
  }
  return {
    async next(match: (m: SseMessage) => boolean = () => true): Promise<SseMessage> {
      for (;;) {
        const index = queue.findIndex(match);
        if (index !== -1) return queue.splice(index, 1)[0] as SseMessage;
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
        parse();
      }
    },
    /** Everything parsed so far and not yet taken. */
    pending: () => [...queue],
    cancel: () => reader.cancel(),
  };
}
