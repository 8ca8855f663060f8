/**
 * The accounts' attack scenarios (issue 18, items 1 and 2), for `npm run attacks`: many registrations from real
 * loopback source addresses (127.x.y.z, so the service judges real socket addresses) in one /24 and across /24s,
 * plus-tagged mailboxes, and the owner signing in while ten addresses guess the password (with and without the
 * remembered-device cookie, and after a reset). Each runs against a fresh service with the shipped defaults
 * (config/default.json's limits), scrypt lowered to cost 10 so the run stays short; every loop is bounded.
 * The attacker is as determined as the service lets it be: asked for a proof of work, it solves one (altcha-lib).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { createTestAccount, TEST_PASSWORD } from '../../test/helpers/accounts.ts';
import { startTestService, testConfig } from '../../test/helpers/test-service.ts';

type Reply = { status: number; detail: string; setCookie: string[] };

function send(url: string, from: string, path: string, json?: unknown, cookie?: string): Promise<Reply> {
  const target = new URL(path, url);
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: body ? 'POST' : 'GET',
        localAddress: from,
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let detail: string;
          try {
            const parsed = (JSON.parse(text) as { detail?: unknown }).detail;
            detail = typeof parsed === 'string' ? parsed : '';
          } catch {
            detail = '';
          }
          resolve({ status: res.statusCode ?? 0, detail, setCookie: res.headers['set-cookie'] ?? [] });
        });
      },
    );
    req.on('error', () => resolve({ status: 0, detail: '', setCookie: [] }));
    req.end(body);
  });
}

const SHIPPED = JSON.parse(readFileSync(join(ROOT_DIR, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

async function boot() {
  const { config, dir } = testConfig({
    limits: SHIPPED.limits as Record<string, number>,
    ...(SHIPPED.proofOfWork ? { proofOfWork: SHIPPED.proofOfWork } : {}),
    ...(SHIPPED.probation ? { probation: SHIPPED.probation } : {}),
    auth: { passwordCost: 10, jwtSecret: 'attacks: a fixed secret of 32+ bytes' },
  });
  return startTestService({ config, dir });
}
type Service = Awaited<ReturnType<typeof boot>>;

/** What a determined client does with one request: send it; asked for a proof of work, solve one and send again. */
async function persist(svc: Service, from: string, path: string, body: Record<string, unknown>, work: { proofs: number; ms: number }, cookie?: string) {
  const first = await send(svc.url, from, path, body, cookie);
  if (first.status !== 429 || !/proof of work/.test(first.detail)) return first;
  const started = performance.now();
  const challenge = (await (await fetch(`${svc.url}/api/auth/challenge`)).json()) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  work.proofs += 1;
  work.ms += performance.now() - started;
  return send(svc.url, from, path, { ...body, altcha: Buffer.from(JSON.stringify({ challenge, solution })).toString('base64') }, cookie);
}

async function registrations(addresses: string[], perAddress: number, label: string) {
  const svc = await boot();
  const work = { proofs: 0, ms: 0 };
  const statuses: number[] = [];
  const started = performance.now();
  let n = 0;
  for (const from of addresses) {
    for (let i = 0; i < perAddress; i++) {
      const res = await persist(svc, from, '/api/auth/register', { email: `${label}-${++n}@example.test`, password: 'a long enough phrase' }, work);
      statuses.push(res.status);
    }
  }
  await svc.stop();
  return {
    attempts: statuses.length,
    accepted: count(statuses, 202),
    refused429: count(statuses, 429),
    proofsSolved: work.proofs,
    solvingMs: Math.round(work.ms),
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

async function plusTags() {
  const svc = await boot();
  const work = { proofs: 0, ms: 0 };
  const statuses: number[] = [];
  // One mailbox, twenty tags, each from a network of its own (so no per-network budget is what stops them).
  for (let i = 1; i <= 20; i++) statuses.push((await persist(svc, `127.12.${i}.1`, '/api/auth/register', { email: `victim+${i}@example.test`, password: 'a long enough phrase' }, work)).status);
  await svc.deps.mailer.drain();
  const mails = svc.deps.outbox?.list().filter((m) => m.to.startsWith('victim')).length ?? -1;
  await svc.stop();
  return { registrations: statuses.length, accepted: count(statuses, 202), mailsToOneMailbox: mails };
}

async function ownerUnderAttack() {
  const svc = await boot();
  const owner = await createTestAccount(svc.deps);
  const signIn = (from: string, password: string, cookie?: string, work = { proofs: 0, ms: 0 }) =>
    persist(svc, from, '/api/auth/token', { email: owner.email, password }, work, cookie);
  const before = await send(svc.url, '127.13.0.1', '/api/auth/token', { email: owner.email, password: TEST_PASSWORD });
  const device = before.setCookie.map((c) => c.split(';')[0] as string).find((c) => c.startsWith('daj_device='));
  // Ten addresses, 30 wrong passwords each (the per-address sign-in budget), all sent: 300 guesses.
  const attack: number[] = [];
  for (let a = 1; a <= 10; a++) for (let i = 0; i < 30; i++) attack.push((await send(svc.url, `127.14.${a}.1`, '/api/auth/token', { email: owner.email, password: `guess ${a}-${i}` })).status);
  const plain = await send(svc.url, '127.13.0.2', '/api/auth/token', { email: owner.email, password: TEST_PASSWORD });
  const result: Record<string, unknown> = {
    attackGuesses: attack.length,
    attackAnswers: { 401: count(attack, 401), 429: count(attack, 429) },
    ownerBeforeAttack: before.status,
    ownerWithRememberedDevice: device ? (await send(svc.url, '127.13.0.1', '/api/auth/token', { email: owner.email, password: TEST_PASSWORD }, device)).status : 'no such cookie',
    ownerNewDevice: plain.status,
    ownerNewDeviceSays: plain.detail,
    ownerNewDeviceWithProofOfWork: (await signIn('127.13.0.3', TEST_PASSWORD)).status,
  };
  // The owner resets the password by mail, then signs in from a device never seen, with no proof.
  await send(svc.url, '127.13.0.4', '/api/auth/reset-request', { email: owner.email });
  await svc.deps.mailer.drain();
  const link = svc.deps.outbox?.list().find((m) => m.to === owner.email && (m.links[0] ?? '').includes('/reset?token='))?.links[0];
  const token = link ? new URL(link).searchParams.get('token') : null;
  const reset = await send(svc.url, '127.13.0.4', '/api/auth/reset', { token, password: 'a brand new private phrase' });
  const after = await send(svc.url, '127.13.0.5', '/api/auth/token', { email: owner.email, password: 'a brand new private phrase' });
  Object.assign(result, { reset: reset.status, ownerAfterResetNewDevice: after.status, ownerAfterResetSays: after.detail || undefined });
  await svc.stop();
  return result;
}

/** Runs every accounts scenario and returns their figures for the report. */
export async function accountScenarios(): Promise<Record<string, unknown>> {
  const oneNetwork = Array.from({ length: 40 }, (_, i) => `127.10.1.${i + 1}`);
  const manyNetworks = Array.from({ length: 30 }, (_, n) => [1, 2, 3].map((h) => `127.11.${n + 1}.${h}`)).flat();
  return {
    registrationsOneSlash24: { addresses: 40, perAddress: 2, ...(await registrations(oneNetwork, 2, 'one')) },
    registrationsAcrossSlash24s: { networks: 30, addresses: 90, perAddress: 2, ...(await registrations(manyNetworks, 2, 'many')) },
    plusTaggedMailboxes: await plusTags(),
    ownerDuringTenAddressAttack: await ownerUnderAttack(),
  };
}
