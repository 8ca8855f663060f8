import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';

/** The mails the service sends; each has `templates/mail/<kind>.text.njk` and `<kind>.html.njk`. */
export const MAIL_SUBJECTS = {
  activate: 'Confirm your Dial-A-Joke account',
  'already-registered': 'Someone tried to register your address at Dial-A-Joke',
  reset: 'Reset your Dial-A-Joke password',
} as const;
export type MailKind = keyof typeof MAIL_SUBJECTS;

export type RenderedMail = { subject: string; text: string; html: string };

/**
 * Compiles every mail template at start. Text bodies are rendered without HTML escaping (an `&` in a link must
 * stay an `&`); HTML bodies with it, like the pages.
 */
export function createMailTemplates(options: { templatesDir: string }) {
  const dir = join(options.templatesDir, 'mail');
  const make = (autoescape: boolean) => new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), { autoescape, throwOnUndefined: true });
  const textEnv = make(false);
  const htmlEnv = make(true);
  const compiled = new Map<string, nunjucks.Template>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.text.njk')) compiled.set(file, textEnv.getTemplate(file, true));
    if (file.endsWith('.html.njk')) compiled.set(file, htmlEnv.getTemplate(file, true));
  }
  for (const kind of Object.keys(MAIL_SUBJECTS)) {
    for (const part of ['text', 'html']) if (!compiled.has(`${kind}.${part}.njk`)) throw new Error(`no mail template ${kind}.${part}.njk`);
  }
  return {
    render(kind: MailKind, context: Record<string, unknown>): RenderedMail {
      const subject = MAIL_SUBJECTS[kind];
      const full = { ...context, subject };
      return {
        subject,
        text: (compiled.get(`${kind}.text.njk`) as nunjucks.Template).render(full),
        html: (compiled.get(`${kind}.html.njk`) as nunjucks.Template).render(full),
      };
    },
  };
}
export type MailTemplates = ReturnType<typeof createMailTemplates>;
