import type { CarrierNotice } from '../calls/carrier-event.ts';
import type { InboxEvent } from './inbox-store.ts';

/**
 * Checks a webhook's signature and timestamp over the raw body; resolves with the body parsed, once. Refuses a
 * forged, stale or altered webhook with an unauthorized error.
 */
export type WebhookVerifier = (rawBody: string, headers: Record<string, string>) => Promise<unknown>;

/**
 * The carrier's webhook format, read twice: at intake its envelope (ids, call, time) becomes an inbox row; when the
 * row is applied its stored payload becomes the domain's notice. Keeping the raw payload lets a fixed reader
 * re-read old rows. The carrier adapter implements it.
 */
export type InboxCodec = {
  envelope: (body: unknown, receivedAt: number) => InboxEvent;
  notice: (event: InboxEvent) => CarrierNotice;
};
