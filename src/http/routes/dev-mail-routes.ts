import Router from '@koa/router';
import { isLocalRequest } from '../security/operator-access.ts';
import type { Views } from '../views.ts';

/** A mail as the development outbox keeps it (the mail adapter's outbox has this shape). */
type KeptMail = { id: string; at: number; to: string; subject: string; text: string; html: string; links: string[] };

/**
 * `/dev/mail`: the development outbox, so a new user can register and activate offline. Mounted only when
 * `mail.devOutbox` is on, which the config refuses in production. Mails are shown as text with their links;
 * their HTML is not rendered here, so nothing a mail contains runs on this origin.
 *
 * The outbox holds every account's activation and reset links, and STAGE defaults to development: an operator who
 * listens on a public interface but forgets STAGE or SMTP_URL would hand out every account. So it answers loopback
 * requests from this host only — the rule /metrics follows without a token: the socket must be on loopback (a
 * forwarded address never opens it) and, behind a trusted proxy on the same host, so must the forwarded client.
 * With `Accept: application/json` both routes answer JSON (`{ mails: [...] }`, one mail), so a program registering
 * an account can read its activation link without scraping the page.
 */
export function createDevMailRouter(deps: { outbox: { list(): readonly KeptMail[]; get(id: string): KeptMail | undefined }; views: Views }): Router {
  const router = new Router({ prefix: '/dev/mail' });
  router.use((ctx, next) => {
    if (!isLocalRequest(ctx)) ctx.throw(403, 'The development outbox answers only on the loopback interface (it holds account links).', { expose: true });
    return next();
  });
  /** The link's `token` parameter (activation, reset), so a program need not parse the link. */
  const tokenOf = (links: string[]) => {
    for (const link of links) {
      const token = URL.parse(link)?.searchParams.get('token');
      if (token) return token;
    }
    return null;
  };
  const asJson = (mail: KeptMail) => ({ id: mail.id, at: new Date(mail.at).toISOString(), to: mail.to, subject: mail.subject, text: mail.text, links: mail.links, token: tokenOf(mail.links) });
  const wantsJson = (ctx: { accepts: (...types: string[]) => string | false }) => ctx.accepts('html', 'json') === 'json';
  router.get('/', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept');
    if (wantsJson(ctx)) {
      ctx.body = { mails: deps.outbox.list().map(asJson) };
      return;
    }
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('dev-mail.njk', { mails: deps.outbox.list().map((m) => ({ ...m, iso: new Date(m.at).toISOString() })), devOutbox: true });
  });
  router.get('/:id', (ctx) => {
    const mail = deps.outbox.get(ctx.params.id as string);
    if (!mail) return; // the 404 problem
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept');
    if (wantsJson(ctx)) {
      ctx.body = asJson(mail);
      return;
    }
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('dev-mail-item.njk', { mail: { ...mail, iso: new Date(mail.at).toISOString() }, devOutbox: true });
  });
  return router;
}
