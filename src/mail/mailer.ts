import nodemailer from 'nodemailer';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { DevOutbox } from './dev-outbox.ts';
import type { MailKind, MailTemplates } from './mail-templates.ts';

export type Mailer = {
  /**
   * Renders and sends in the background: the request that caused it answers at once and the same whether or not a
   * mail goes out (no account enumeration by timing). Failures are logged, never thrown.
   */
  send(kind: MailKind, to: string, context: { link?: string } & Record<string, unknown>): void;
  /** Resolves when every mail handed over so far has been sent or has failed (stop awaits it). */
  drain(): Promise<void>;
};

/**
 * Account mail through nodemailer: over SMTP when `smtpUrl` is set, else (development) into the dev outbox.
 * Timeouts keep a dead mail server from holding sends (and a stop) for minutes.
 */
export function createMailer(deps: {
  smtpUrl: string | undefined;
  from: string;
  templates: MailTemplates;
  outbox: DevOutbox | undefined;
  logger: Logger;
  clock: Clock;
  newId: () => string;
}): Mailer {
  const { smtpUrl, outbox, logger } = deps;
  if (!smtpUrl && !outbox) throw new Error('SMTP_URL: is required unless the development outbox is on');
  const transport = smtpUrl
    ? nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 })
    : nodemailer.createTransport({ jsonTransport: true });
  const inFlight = new Set<Promise<void>>();

  async function deliver(kind: MailKind, to: string, context: { link?: string } & Record<string, unknown>): Promise<void> {
    const mail = deps.templates.render(kind, context);
    await transport.sendMail({ from: deps.from, to, subject: mail.subject, text: mail.text, html: mail.html });
    if (!smtpUrl && outbox) {
      outbox.add({ id: deps.newId(), at: deps.clock.now(), to, ...mail, links: context.link ? [context.link] : [] });
    }
    // The address is personal data and the link a credential: neither goes into the log.
    logger.info({ mail: kind }, smtpUrl ? 'mail sent' : 'mail kept in the development outbox (/dev/mail)');
  }

  return {
    send(kind, to, context) {
      const sending = deliver(kind, to, context).catch((err: unknown) => {
        logger.error({ err: err instanceof Error ? { message: err.message, code: (err as { code?: unknown }).code } : String(err), mail: kind }, 'mail not sent');
      });
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
