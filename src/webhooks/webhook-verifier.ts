import Telnyx from 'telnyx';
import { DomainError, ErrorCode } from '../errors.ts';

/** Checks a webhook's ed25519 signature and timestamp; resolves with the parsed body only when both hold. */
export type WebhookVerifier = (rawBody: string, headers: Record<string, string>) => Promise<unknown>;

/**
 * Verification by the SDK's own `webhooks.unwrap` (signature over `timestamp|raw body`, timestamp within
 * 5 minutes). The key is read per call because the in-process simulator makes its key at start.
 */
export function createWebhookVerifier(options: { publicKey: () => string | undefined }): WebhookVerifier {
  // The client is only a verifier here: it never calls the API, so no real API key is needed.
  const client = new Telnyx({ apiKey: 'webhook-verification-only', maxRetries: 0 });
  return async (rawBody, headers) => {
    const key = options.publicKey();
    try {
      if (!key) throw new Error('no public key is configured (TELNYX_PUBLIC_KEY)');
      return await client.webhooks.unwrap(rawBody, { headers, key });
    } catch (err) {
      throw new DomainError(ErrorCode.unauthorized, 'The webhook signature or timestamp is not valid.', { cause: err });
    }
  };
}
