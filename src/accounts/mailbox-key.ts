import validator from 'validator';

/**
 * The mailbox an address delivers to, as far as we can tell, for limits only: `me+1@gmail.com`, `M.E@googlemail.com`
 * and `me@gmail.com` are one mailbox, so they share one mail budget. validator's normalizeEmail knows the big
 * providers' rules (Gmail's dots and googlemail.com, Yahoo's `-` tags, Outlook's and iCloud's `+` tags); a `+tag` is
 * dropped for every other domain too, since plus-addressing is the common convention and merging two real mailboxes
 * only makes them share a budget, never a mail. The account keeps the address as typed: that is where mail goes.
 */
export function mailboxKey(email: string): string {
  const normal = validator.normalizeEmail(email) || email.toLowerCase();
  const at = normal.lastIndexOf('@');
  if (at < 1) return normal;
  const local = normal.slice(0, at);
  const plus = local.indexOf('+');
  return plus > 0 ? `${local.slice(0, plus)}${normal.slice(at)}` : normal;
}
