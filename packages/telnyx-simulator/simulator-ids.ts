/** Identifiers shaped like Telnyx's, drawn from an injected random source so a seeded test is repeatable. */
export type IdSource = {
  /** RFC 4122 version-4 UUID, the shape of Telnyx's event ids; also used for request ids. */
  uuid(): string;
  /**
   * RFC 4122 version-1 (time-based) UUID at `nowMs`, the shape of Telnyx's `call_leg_id` and `call_session_id`
   * (e.g. `817f7de8-728a-11ea-9ce6-02420a0f8969`): one node and clock sequence per source, as one host would.
   */
  timeUuid(nowMs: number): string;
  /** `v3:` followed by 54 base64url characters, the shape of a current Telnyx call_control_id. */
  callControlId(): string;
};

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Matches what {@link IdSource.callControlId} produces; anything else is refused as Telnyx refuses a malformed id. */
export const CALL_CONTROL_ID_PATTERN = /^v3:[A-Za-z0-9_-]{20,}$/;

/** 100-ns intervals between the Gregorian reform (UUID epoch) and the Unix epoch, in milliseconds. */
const UUID_EPOCH_OFFSET_MS = 12_219_292_800_000n;

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

/** Creates an id source from `random` (a `Math.random`-like function returning [0, 1)). */
export function createIdSource(random: () => number): IdSource {
  const byte = () => Math.floor(random() * 256) & 0xff;
  const node = hex(Array.from({ length: 6 }, byte));
  const clockSeq = ((byte() << 8) | byte()) & 0x3fff;
  let lastTicks = 0n;
  return {
    uuid() {
      const bytes = Array.from({ length: 16 }, byte);
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      const text = hex(bytes);
      return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
    },
    timeUuid(nowMs) {
      // Strictly increasing ticks keep ids unique when several are made within one 100-ns tick (or one ms).
      let ticks = (BigInt(Math.floor(nowMs)) + UUID_EPOCH_OFFSET_MS) * 10_000n;
      if (ticks <= lastTicks) ticks = lastTicks + 1n;
      lastTicks = ticks;
      const timeLow = (ticks & 0xffff_ffffn).toString(16).padStart(8, '0');
      const timeMid = ((ticks >> 32n) & 0xffffn).toString(16).padStart(4, '0');
      const timeHigh = (((ticks >> 48n) & 0x0fffn) | 0x1000n).toString(16).padStart(4, '0');
      const seq = (clockSeq | 0x8000).toString(16).padStart(4, '0');
      return `${timeLow}-${timeMid}-${timeHigh}-${seq}-${node}`;
    },
    callControlId() {
      let id = 'v3:';
      for (let i = 0; i < 54; i++) id += BASE64URL[Math.floor(random() * 64) & 63];
      return id;
    },
  };
}
