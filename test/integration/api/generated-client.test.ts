import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { clientTypes } from '../../../tasks/openapi/generate-types.ts';
import type { paths } from '../../helpers/openapi-client.d.ts';

test('when the types are generated again from the served document, then they are the ones the client below is checked against', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const served = (await (await fetch(`${svc.url}/openapi.json`)).json()) as object;
  const committed = await readFile(join(ROOT_DIR, 'test', 'helpers', 'openapi-client.d.ts'), 'utf8');
  t.is(await clientTypes(served), committed, 'run `node tasks/openapi/client-types.ts` after changing the API');
});

test('when a client generated from the document signs up, activates, gets a token and schedules a call, then each step answers as documented', async (t) => {
  const { config, dir } = testConfig({ mail: { devOutbox: true } });
  const svc = await startTestService({ config, dir });
  t.teardown(() => svc.stop());
  // The server address comes from the document itself, as a generated client would take it.
  const { servers } = (await (await fetch(`${svc.url}/openapi.json`)).json()) as { servers: { url: string }[] };
  const api = createClient<paths>({ baseUrl: servers[0]?.url });
  const email = 'ada@example.test';
  const password = 'a long and private phrase';

  const registered = await api.POST('/api/auth/register', { body: { email, password } });
  t.is(registered.response.status, 202);
  t.is(registered.data?.status, 'accepted');

  // The activation link, read as a program would: the dev outbox in JSON (once the mail, sent after the 202, is in).
  await svc.deps.outbox?.waitFor((m) => m.to === email);
  const outbox = (await (await fetch(`${svc.url}/dev/mail`, { headers: { accept: 'application/json' } })).json()) as { mails: { to: string; links: string[]; token: string | null }[] };
  const mail = outbox.mails.find((m) => m.to === email);
  const token = mail?.token ?? '';
  t.truthy(token);
  t.true(mail?.links.some((l) => l.endsWith(`/activate?token=${token}`)), 'the token is the activation link\'s');

  const refused = await api.POST('/api/auth/token', { body: { email, password } });
  t.is(refused.response.status, 403, 'not activated yet');
  t.is(refused.error?.status, 403);

  const activated = await api.POST('/api/auth/activate', { body: { token } });
  t.is(activated.data?.status, 'activated');

  const issued = await api.POST('/api/auth/token', { body: { email, password } });
  t.is(issued.data?.token_type, 'Bearer');
  const bearer = { Authorization: `Bearer ${issued.data?.access_token ?? ''}` };

  const at = new Date(svc.deps.clock.now() + 86_400_000).toISOString();
  const scheduled = await api.POST('/api/calls', { body: { to: '+12025550123', at, timezone: 'Asia/Calcutta', message: 'From the generated client' }, headers: bearer });
  t.is(scheduled.response.status, 201);
  t.like(scheduled.data, { to: '+12025550123', status: 'scheduled', timezone: 'Asia/Calcutta', message: 'From the generated client' });

  const read = await api.GET('/api/calls/{id}', { params: { path: { id: scheduled.data?.id ?? '' } }, headers: bearer });
  t.is(read.data?.id, scheduled.data?.id);
  const listed = await api.GET('/api/calls', { params: { query: { status: 'scheduled' } }, headers: bearer });
  t.deepEqual(listed.data?.items.map((c) => c.id), [scheduled.data?.id]);
});
