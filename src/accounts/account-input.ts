import { ValidationError, type FieldError } from '../kernel/errors.ts';

// Deliberately loose (one @, no spaces, a dot in the domain): the activation mail is the real check.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const MAX_EMAIL = 254;

/** Trimmed and lower-cased, so one mailbox is one account whatever the capitals typed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function text(body: Record<string, unknown>, key: string, errors: FieldError[]): string {
  const value = body[key];
  if (typeof value === 'string' && value !== '') return value;
  errors.push({ path: key, message: value === undefined || value === '' ? 'is required' : 'must be a string' });
  return '';
}

/** Reads `{email, password}` from a JSON or form body; throws a {@link ValidationError} naming each bad field. */
export function parseCredentials(raw: unknown): { email: string; password: string } {
  const body = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const errors: FieldError[] = [];
  const email = normaliseEmail(text(body, 'email', errors));
  const password = text(body, 'password', errors);
  if (email && (email.length > MAX_EMAIL || !EMAIL.test(email))) errors.push({ path: 'email', message: 'is not an e-mail address' });
  if (errors.length > 0) throw new ValidationError(errors);
  return { email, password };
}

/** Reads one required string field (`token`, `email`) from a body. */
export function parseField(raw: unknown, key: string): string {
  const body = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const errors: FieldError[] = [];
  const value = text(body, key, errors);
  if (key === 'email' && value && !EMAIL.test(normaliseEmail(value))) errors.push({ path: 'email', message: 'is not an e-mail address' });
  if (errors.length > 0) throw new ValidationError(errors);
  return key === 'email' ? normaliseEmail(value) : value;
}
