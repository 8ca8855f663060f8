import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';

// requests.http sent top to bottom against a real service, as the REST Client would: file variables, `# @name`
// responses and the variables this file uses ({{$datetime iso8601 N m}}, {{name.response.body.path}}, JSONPath
// `$.a[0].b`). A small reader of only those forms: the file is ours, and no HTTP-file runner is on npm for ava.
type Request = { title: string; name?: string; method: string; path: string; headers: Record<string, string>; body?: string };

function parse(text: string): { vars: Record<string, string>; requests: Request[] } {
  const vars: Record<string, string> = {};
  const requests: Request[] = [];
  for (const block of text.split(/^###/m)) {
    const lines = block.split('\n');
    const title = (lines[0] ?? '').trim();
    let name: string | undefined;
    let i = 1;
    let start: RegExpExecArray | null = null;
    for (; i < lines.length; i++) {
      const line = (lines[i] ?? '').trim();
      const variable = /^@(\w+)\s*=\s*(.*)$/.exec(line);
      if (variable) vars[variable[1] as string] = variable[2] as string;
      else if (/^#\s*@name\s+(\w+)/.test(line)) name = /^#\s*@name\s+(\w+)/.exec(line)?.[1];
      else if ((start = /^(GET|POST|PATCH|DELETE|PUT) (\S+)$/.exec(line))) break;
    }
    // Variables before the first request of the file sit in its first block.
    for (const line of (text.split(/^###/m)[0] ?? '').split('\n')) {
      const variable = /^@(\w+)\s*=\s*(.*)$/.exec(line.trim());
      if (variable && !(variable[1] as string in vars)) vars[variable[1] as string] = variable[2] as string;
    }
    if (!start) continue;
    const headers: Record<string, string> = {};
    for (i += 1; i < lines.length && (lines[i] ?? '').trim() !== ''; i++) {
      const [key, ...value] = (lines[i] as string).split(':');
      headers[(key ?? '').trim()] = value.join(':').trim();
    }
    const body = lines.slice(i + 1).join('\n').trim();
    requests.push({ title, name, method: start[1] as string, path: start[2] as string, headers, ...(body ? { body } : {}) });
  }
  return { vars, requests };
}

function jsonPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.replace(/^\$\.?/, '').split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    current = (current as Record<string, unknown> | undefined)?.[part];
  }
  return current;
}

test('when requests.http is sent top to bottom, then every request answers as its comment says, and the replay example replays', async (t) => {
  const { config, dir } = testConfig({ mail: { devOutbox: true } });
  const svc = await startTestService({ config, dir });
  t.teardown(() => svc.stop());
  const { vars, requests } = parse(await readFile(join(ROOT_DIR, 'requests.http'), 'utf8'));
  vars.base = svc.url;
  const named: Record<string, { body: unknown }> = {};
  const resolve = (text: string): string =>
    text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      const minutes = /^\$datetime iso8601 (\d+) m$/.exec(expression);
      if (minutes) return new Date(svc.deps.clock.now() + Number(minutes[1]) * 60_000).toISOString();
      const reference = /^(\w+)\.response\.body\.(.+)$/.exec(expression);
      if (reference) {
        const value = jsonPath(named[reference[1] as string]?.body, reference[2] as string);
        return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
      }
      if (expression in vars) return resolve(vars[expression] as string);
      throw new Error(`requests.http uses {{${expression}}}, which this reader does not know`);
    });
  const send = async (r: Request) => {
    const controller = new AbortController();
    const res = await fetch(resolve(r.path), {
      method: r.method,
      headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, resolve(v)])),
      ...(r.body ? { body: resolve(r.body) } : {}),
      signal: controller.signal,
    });
    const type = res.headers.get('content-type') ?? '';
    // A stream answers at once with its headers; the test does not wait for its events.
    const body: unknown = type.startsWith('text/event-stream') ? (controller.abort(), null) : type.includes('json') ? await res.json() : await res.text();
    if (r.name) named[r.name] = { body };
    return { res, body };
  };

  // The status each request's comment promises, in file order (the first send).
  const expected = [202, 200, 200, 200, 201, 201, 422, 400, 200, 200, 200, 200, 200, 200, 201, 200, 200, 200, 200, 200, 202, 200, 200, 200, 200, 200, 200, 200, 200];
  t.is(requests.length, expected.length, 'one expected status per request');
  const statuses: number[] = [];
  for (const r of requests) {
    // The register mail and the reset mail are sent after the 202: the outbox request reads them once they are in.
    if (r.path.endsWith('/dev/mail')) await svc.deps.outbox?.waitFor((m) => m.to === vars.email && (r.name === 'mail' || m.subject.toLowerCase().includes('reset')));
    const { res, body } = await send(r);
    statuses.push(res.status);
    if (r.title.startsWith('Send this twice')) {
      const again = await send(r);
      t.is(again.res.status, 201, 'the second send of the replay example');
      t.is(again.res.headers.get('idempotent-replayed'), 'true');
      t.is((again.body as { id?: string }).id, (body as { id?: string }).id);
    }
    if (r.title.startsWith('Cancel it') || r.title.startsWith('Stop it for good')) t.is((await send(r)).res.status, 409, `${r.title}: sent again`);
  }
  t.deepEqual(
    requests.map((r, i) => `${statuses[i] ?? ''} ${r.method} ${r.path}`),
    requests.map((r, i) => `${expected[i] ?? ''} ${r.method} ${r.path}`),
  );
});
