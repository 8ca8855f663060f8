import { readdirSync } from 'node:fs';
import nunjucks from 'nunjucks';

/** Renders a template to HTML. */
export type Views = {
  render(name: string, context: object): string;
};

/**
 * An autoescaping nunjucks environment over `templates/`. Every template is compiled here, at start,
 * so rendering on a request path never touches the disk.
 */
export function createViews(options: { templatesDir: string; globals?: Record<string, unknown> }): Views {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(options.templatesDir, { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  // Values every page may show (the development tunnel's URL in the header), read at render time.
  for (const [name, value] of Object.entries(options.globals ?? {})) env.addGlobal(name, value);
  const templates = new Map<string, nunjucks.Template>();
  for (const file of readdirSync(options.templatesDir, { recursive: true, encoding: 'utf8' })) {
    if (file.endsWith('.njk')) templates.set(file, env.getTemplate(file, true));
  }
  return {
    render(name, context) {
      const template = templates.get(name);
      if (!template) throw new Error(`no template ${name}`);
      return template.render(context);
    },
  };
}
