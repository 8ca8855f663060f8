/**
 * A small cookie-keeping client for the HTML pages, as a browser without JavaScript would behave: it keeps
 * cookies, never follows redirects by itself, and `submit` sends the CSRF token of the last page it read.
 */
export function createFormClient(base: string) {
  const jar = new Map<string, string>();
  let csrf = '';
  let lastHtml = '';
  async function request(path: string, init: RequestInit = {}) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq);
      const value = (pair ?? '').slice(eq + 1);
      if (!name) continue;
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }
  return {
    jar,
    request,
    /** GETs a page, remembers its CSRF token, and returns its status and HTML. */
    async open(path: string) {
      const res = await request(path);
      lastHtml = await res.text();
      csrf = /name="_csrf" value="([^"]+)"/.exec(lastHtml)?.[1] ?? csrf;
      return { res, html: lastHtml };
    },
    /** Posts a form with the remembered CSRF token (unless `fields._csrf` says otherwise). */
    async submit(path: string, fields: Record<string, string>) {
      const res = await request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
      return res;
    },
  };
}
