import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { OpenApiDocument } from '../openapi/openapi-document.ts';
import { PROBLEM_TYPES } from '../openapi/problem-types.ts';
import type { Views } from '../views.ts';

/** The reference page's own files from the `swagger-ui-dist` package, served from here (no CDN). */
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};
/**
 * Swagger UI sets `style` attributes as it renders, which the site-wide policy (styles from files only) blocks;
 * this page, and only it, also allows inline styles. Scripts stay `'self'`: the page's start-up is a file too.
 */
const REFERENCE_CSP =
  "default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** `/openapi.json`, the API reference page at `/docs/api`, and the pages problem `type` URIs lead to. Everything read at start. */
export function createDocsRouter(deps: { openapi: OpenApiDocument; views: Views; templatesDir: string }): Router {
  const router = new Router();
  const dist = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
  const files = new Map(Object.entries(SWAGGER_FILES).map(([name, type]) => [name, { type, body: readFileSync(join(dist, name)) }]));
  files.set('start.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(join(deps.templatesDir, 'static', 'api-reference.js')) });
  const documentJson = JSON.stringify(deps.openapi);
  const named = (deps.openapi.servers ?? []).length > 0;

  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'public, max-age=300');
    // Without PUBLIC_URL, the server is the origin this request reached (the host check already vouched for it).
    if (named) ctx.body = documentJson;
    else {
      ctx.set('Vary', 'Host');
      ctx.body = JSON.stringify({ ...deps.openapi, servers: [{ url: `${ctx.protocol}://${ctx.host}`, description: 'This service, as this request reached it' }] });
    }
  });

  router.get('/docs/api', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', REFERENCE_CSP);
    ctx.body = deps.views.render('api-reference.njk', {});
  });

  router.get('/docs/api/:file', (ctx) => {
    const file = files.get(ctx.params.file as string);
    if (!file) return;
    ctx.type = file.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = file.body;
  });

  router.get('/problems/:slug', (ctx) => {
    const slug = ctx.params.slug as string;
    const problem = Object.hasOwn(PROBLEM_TYPES, slug) ? PROBLEM_TYPES[slug] : undefined;
    if (!problem) return;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('problem-type.njk', { slug, problem, all: Object.entries(PROBLEM_TYPES).map(([s, p]) => ({ slug: s, title: p.title })) });
  });

  return router;
}
