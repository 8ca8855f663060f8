import Telnyx from 'telnyx';
import { DomainError, ErrorCode, ValidationError } from '../kernel/errors.ts';

import type { WebhookVerifier } from '../inbox/inbox-codec.ts';

/**
 * Verification by the SDK's own `webhooks.unwrap` (signature over `timestamp|raw body`, timestamp within
 * 5 minutes), which parses the body only after the signature holds: an unsigned body is refused (401) whatever it
 * contains. The key is read per call because the in-process simulator makes its key at start.
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
      // Signed, yet not JSON: the signature held, so this is a malformed event rather than a forgery.
      if (err instanceof SyntaxError) throw new ValidationError([{ path: '', message: 'is not JSON' }], 'The webhook body is not valid JSON.');
      throw new DomainError(ErrorCode.unauthorized, 'The webhook signature or timestamp is not valid.', { cause: err });
    }
  };
}
