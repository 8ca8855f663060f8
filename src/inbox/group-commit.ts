import { DomainError, ErrorCode } from '../kernel/errors.ts';
import type { InboxEvent, WebhookInbox } from './inbox-store.ts';

export type GroupCommitOptions = {
  /** Events in one commit at most. */
  maxBatch: number;
  /** Events waiting for a commit at most; past it a webhook is refused with 503 (Telnyx sends it again). */
  maxWaiting: number;
};

type Waiter = { event: InboxEvent; resolve: (inserted: boolean) => void; reject: (err: unknown) => void };

/**
 * Group commit for the webhook inbox: each verified event is appended to the next batch, and its promise settles
 * once the batch's one commit has (true: new; false: its event id was stored already), so an acknowledgement still
 * means durable. A batch starts at the end of the event-loop turn its first event arrived in (`setImmediate`: every
 * request whose body was verified in that turn joins it), and while a commit is in flight the next batch fills. On
 * an idle service that adds no wait: a lone webhook commits alone, at once.
 *
 * Two events with one id in a batch are stored once: the first is told new, the other duplicate. A batch whose
 * commit fails is committed again one event at a time, so one event the database refuses fails only its own request.
 * The queue is bounded (`maxWaiting`); the caller's HTTP connections bound it in practice long before that.
 */
export function createGroupCommit(inbox: Pick<WebhookInbox, 'insertInboxBatch'>, options: GroupCommitOptions): (event: InboxEvent) => Promise<boolean> {
  let waiting: Waiter[] = [];
  let running = false;

  const commit = async (batch: Waiter[]): Promise<void> => {
    const first = new Map<string, Waiter>();
    for (const w of batch) if (!first.has(w.event.eventId)) first.set(w.event.eventId, w);
    let inserted: Set<string>;
    try {
      inserted = await inbox.insertInboxBatch([...first.values()].map((w) => w.event));
    } catch (err) {
      if (first.size === 1) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of first.values()) await commit(batch.filter((b) => b.event.eventId === w.event.eventId));
      return;
    }
    for (const w of batch) w.resolve(first.get(w.event.eventId) === w && inserted.has(w.event.eventId));
  };

  const run = async (): Promise<void> => {
    try {
      while (waiting.length > 0) {
        const batch = waiting.length <= options.maxBatch ? waiting : waiting.slice(0, options.maxBatch);
        waiting = batch === waiting ? [] : waiting.slice(options.maxBatch);
        await commit(batch);
      }
    } finally {
      running = false;
    }
  };

  return (event) =>
    new Promise<boolean>((resolve, reject) => {
      if (waiting.length >= options.maxWaiting) {
        reject(new DomainError(ErrorCode.unavailable, 'Too many webhooks are waiting to be stored; send it again shortly.'));
        return;
      }
      waiting.push({ event, resolve, reject });
      if (!running) {
        running = true;
        setImmediate(() => void run());
      }
    });
}
