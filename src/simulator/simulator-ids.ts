/** Identifiers shaped like Telnyx's, drawn from an injected random source so a seeded test is repeatable. */
export type IdSource = {
  /** RFC 4122 version-4 UUID, used for legs, sessions, events and request ids. */
  uuid(): string;
  /** `v3:` followed by 43 base64url characters, the shape of a current Telnyx call_control_id. */
  callControlId(): string;
};

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Matches what {@link IdSource.callControlId} produces; anything else is refused as Telnyx refuses a malformed id. */
export const CALL_CONTROL_ID_PATTERN = /^v3:[A-Za-z0-9_-]{20,}$/;

/** Creates an id source from `random` (a `Math.random`-like function returning [0, 1)). */
export function createIdSource(random: () => number): IdSource {
  const byte = () => Math.floor(random() * 256) & 0xff;
  return {
    uuid() {
      const bytes = Array.from({ length: 16 }, byte);
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    callControlId() {
      let id = 'v3:';
      for (let i = 0; i < 43; i++) id += BASE64URL[Math.floor(random() * 64) & 63];
      return id;
    },
  };
}
