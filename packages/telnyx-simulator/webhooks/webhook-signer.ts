import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The two headers Telnyx puts on every webhook. */
export type SignatureHeaders = {
  'telnyx-signature-ed25519': string;
  'telnyx-timestamp': string;
};

/** Signs webhook bodies the way Telnyx does, with a key of its own. */
export type WebhookSigner = {
  /** Base64 of the raw 32-byte ed25519 public key: the form Mission Control shows and `TELNYX_PUBLIC_KEY` holds. */
  readonly publicKeyBase64: string;
  /** Signs `${timestampSeconds}|${body}`, the exact bytes the SDK's `webhooks.unwrap` verifies. */
  sign(body: string, timestampSeconds: number): SignatureHeaders;
};

// An ed25519 private key is a 32-byte seed; PKCS#8 wraps it behind this fixed 16-byte DER header (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKeyFromSeed(seedBase64: string): KeyObject {
  const seed = Buffer.from(seedBase64, 'base64');
  if (seed.length !== 32) throw new Error(`simulator signing seed must be 32 bytes of base64, got ${seed.length} bytes`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * Creates a signer with a fresh key pair, or a fixed one from `seedBase64` so a long-running app can keep
 * trusting a restarted simulator.
 */
export function createWebhookSigner(seedBase64?: string): WebhookSigner {
  const privateKey = seedBase64 === undefined ? generateKeyPairSync('ed25519').privateKey : privateKeyFromSeed(seedBase64);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('ed25519 public key export lacks its x coordinate');
  // JWK carries the raw key as unpadded base64url; the SDK's decoder wants strict padded base64.
  const publicKeyBase64 = Buffer.from(jwk.x, 'base64url').toString('base64');
  return {
    publicKeyBase64,
    sign(body, timestampSeconds) {
      const timestamp = String(timestampSeconds);
      const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
      return { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp };
    },
  };
}
