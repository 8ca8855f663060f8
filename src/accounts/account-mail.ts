/** The mails an account's life sends: the link that activates it, a warning to the owner of a taken address, a reset link. */
export type AccountMailKind = 'activate' | 'already-registered' | 'reset';

/** What the accounts module asks of mail; the mail adapter implements it (in the background, never throwing). */
export type AccountMailer = {
  send(kind: AccountMailKind, to: string, context: { link?: string } & Record<string, unknown>): void;
};
