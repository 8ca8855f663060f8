import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../kernel/clock.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../kernel/logger.ts';
import { createDevOutbox, type DevOutbox } from '../mail/dev-outbox.ts';
import { createMailTemplates } from '../mail/mail-templates.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import type { AccountStore } from '../accounts/account-store.ts';
import { createAbuseLimits, type AbuseLimits } from '../accounts/abuse-limits.ts';
import { createAccountService, type AccountService } from '../accounts/account-service.ts';
import { createProofOfWork, type ProofOfWork } from '../accounts/proof-of-work.ts';
import { createSessions, type Sessions } from '../accounts/sessions.ts';
import { createTokenSigner, type TokenSigner } from '../accounts/tokens.ts';

/** The accounts' share of the dependencies (see {@link buildDeps}). */
export type AccountParts = {
  tokens: TokenSigner;
  sessions: Sessions;
  accounts: AccountService;
  limits: AbuseLimits;
  /** Challenges and checks for the proof of work the limits ask for. */
  pow: ProofOfWork;
  mailer: Mailer;
  /** Mails kept instead of sent (no SMTP_URL: development and tests); shown at /dev/mail only when `mail.devOutbox`. */
  outbox: DevOutbox | undefined;
};

/** Wires accounts, sessions, tokens, limits and mail; part of the composition root. */
export function createAccountParts(deps: {
  config: Config;
  store: AccountStore;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  rootDir: string;
  /** Our own address once listening; links in mails use PUBLIC_URL first. */
  localUrl: () => string | undefined;
  outbox?: DevOutbox;
}): AccountParts {
  const { config, store, clock, logger } = deps;
  let secret = config.auth.jwtSecret;
  if (!secret) {
    // The schema requires JWT_SECRET in production; elsewhere a restart simply signs everyone out.
    secret = randomBytes(32).toString('base64url');
    logger.warn('JWT_SECRET is not set: using an ephemeral secret for this run; tokens and sessions end when the process stops');
  }
  const tokens = createTokenSigner({ secret: new TextEncoder().encode(secret), clock });
  const outbox = config.mail.smtpUrl ? undefined : (deps.outbox ?? createDevOutbox());
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    templates: createMailTemplates({ templatesDir: join(deps.rootDir, 'templates') }),
    outbox,
    logger,
    clock,
    newId: deps.newId,
  });
  const secretBytes = new TextEncoder().encode(secret);
  const pow = createProofOfWork({ store, clock, secret: secretBytes, options: config.proofOfWork });
  const limits = createAbuseLimits({ store, clock, limits: config.limits, probation: config.probation, proof: config.proofOfWork, pow });
  const baseUrl = () => config.publicUrl ?? deps.localUrl() ?? `http://${config.host}:${config.port}`;
  return {
    tokens,
    sessions: createSessions({ store, clock, tokens, sessionDays: config.auth.sessionDays }),
    accounts: createAccountService({
      store,
      clock,
      newId: deps.newId,
      logger,
      mailer,
      limits,
      tokens,
      pow,
      baseUrl,
      options: { passwordCost: config.auth.passwordCost, mailLinkHours: config.auth.mailLinkHours, rememberDeviceDays: config.auth.rememberDeviceDays },
    }),
    limits,
    pow,
    mailer,
    outbox,
  };
}
