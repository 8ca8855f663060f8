import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { FieldError } from '../kernel/errors.ts';

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase, short enough that hashing cannot be made costly by the input alone. */
export const MAX_PASSWORD_LENGTH = 256;
const KEY_LENGTH = 32;

// zxcvbn-ts keeps its password list in frequency order: the first 1000 are the most common ones.
const COMMON = new Set(dictionary['passwords-common'].slice(0, 1000).map((p) => p.toLowerCase()));

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const optionsFor = (ln: number, r: number, p: number): ScryptOptions => ({ N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r });

/**
 * Hashes with scrypt (memory-hard, in node:crypto, on libuv's thread pool so the event loop stays free).
 * `cost` is log2 N; with r = 8 each hash needs 128·N·r bytes (32 MiB at 15). The result names its parameters
 * (`$scrypt$ln=15,r=8,p=1$salt$key`), so raising the cost later still verifies old hashes.
 */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, optionsFor(cost, 8, 1));
  return `$scrypt$ln=${cost},r=8,p=1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `password` matches `stored`; a malformed hash never matches. Constant-time comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!match) return false;
  const [, ln, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), optionsFor(Number(ln), Number(r), Number(p)));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What is wrong with a new password, as field errors under `path`: too short or long, the address itself, common. */
export function passwordProblems(password: string, email: string, path = 'password'): FieldError[] {
  if (password.length < MIN_PASSWORD_LENGTH) return [{ path, message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }];
  if (password.length > MAX_PASSWORD_LENGTH) return [{ path, message: `must be at most ${MAX_PASSWORD_LENGTH} characters` }];
  const lower = password.trim().toLowerCase();
  if (lower === email.trim().toLowerCase()) return [{ path, message: 'must not be your e-mail address' }];
  if (COMMON.has(lower)) return [{ path, message: 'is one of the most common passwords; choose another' }];
  return [];
}
