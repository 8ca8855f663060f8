import { createPublicKey } from 'node:crypto';
import Telnyx, { APIConnectionError, APIError } from 'telnyx';

/** What `make doctor` (and a development start with an API key) needs to know. */
export type DoctorInput = {
  apiKey: string;
  /** The SDK's API address (the simulator, a proxy); undefined for Telnyx itself. */
  baseUrl?: string;
  connectionId?: string;
  fromNumber?: string;
  publicKey?: string;
  maxConcurrentCalls: number;
  /** ISO codes of the countries the service may call: the outbound voice profile must allow each. */
  allowedCountries: readonly string[];
  /** Where Telnyx's webhooks should arrive (`PUBLIC_URL` or the tunnel's URL), checked through `/health`. */
  publicBase?: string;
  requestTimeoutMs?: number;
};

/** One check: its name, whether it passed, what was found, and where in the portal to fix it. */
export type DoctorCheck = { name: string; ok: boolean; detail: string; fix?: string };

const PORTAL = 'portal.telnyx.com';

type Application = { active?: boolean; outbound?: { outbound_voice_profile_id?: string; channel_limit?: number }; webhook_event_url?: string };

function why(err: unknown): string {
  if (err instanceof APIError) {
    const first = (err.error as { errors?: { title?: string; detail?: string }[] } | undefined)?.errors?.[0];
    return `${err.status ?? 'no status'}${first?.title ? ` ${first.title}` : ''}`;
  }
  if (err instanceof APIConnectionError) return 'the API could not be reached';
  return err instanceof Error ? err.message : String(err);
}

/** The base64 of a 32-byte ed25519 public key, as Telnyx shows it and the webhook check needs it. */
function publicKeyProblem(value: string | undefined): string | undefined {
  if (!value) return 'TELNYX_PUBLIC_KEY is not set: every webhook would be refused';
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== value) return 'TELNYX_PUBLIC_KEY is not the base64 of 32 bytes';
  try {
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    return undefined;
  } catch {
    return 'TELNYX_PUBLIC_KEY is not an ed25519 public key';
  }
}

/**
 * Checks a Telnyx set-up through the API, one line per check in plain words with the portal place to fix it: the
 * key works (the balance), the connection is a Call Control application with an outbound voice profile that allows
 * the destinations, the caller id belongs to the account and is assigned to that application, the public key's
 * format, MAX_CONCURRENT_CALLS within the application's channel limit when it has one, and the public address
 * answering `/health`. Checks that need an earlier one (the profile needs the application) are skipped with a line
 * saying so.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorCheck[]> {
  const client = new Telnyx({ apiKey: input.apiKey, baseURL: input.baseUrl, maxRetries: 0, timeout: input.requestTimeoutMs ?? 10_000 });
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => checks.push(check);

  // 1. The key: the balance answers only to a valid key.
  let keyWorks = false;
  try {
    const { data } = await client.balance.retrieve();
    keyWorks = true;
    const balance = Number(data?.balance ?? 'NaN');
    const credit = Number(data?.available_credit ?? data?.balance ?? 'NaN');
    add({
      name: 'API key',
      ok: true,
      detail: `accepted; balance ${data?.balance ?? '?'} ${data?.currency ?? ''}`.trim(),
    });
    if (Number.isFinite(credit) && credit <= 0) {
      add({ name: 'balance', ok: false, detail: `no credit left (balance ${balance}): Telnyx refuses calls`, fix: `${PORTAL} → Billing → add funds` });
    }
  } catch (err) {
    add({
      name: 'API key',
      ok: false,
      detail: `TELNYX_API_KEY was refused (${why(err)})`,
      fix: `${PORTAL} → Account Settings → Keys & Credentials → API Keys: create a key, put it in .env as TELNYX_API_KEY`,
    });
  }

  // 2. The connection: a Call Control application.
  let app: Application | undefined;
  if (!input.connectionId) {
    add({ name: 'connection', ok: false, detail: 'TELNYX_CONNECTION_ID is not set', fix: `${PORTAL} → Voice → Programmable Voice → your application's ID (make setup can write it)` });
  } else if (keyWorks) {
    try {
      app = (await client.callControlApplications.retrieve(input.connectionId)).data;
      if (!app) throw new Error('no application in the answer');
      add(
        app.active === false
          ? { name: 'connection', ok: false, detail: `the Call Control application ${input.connectionId} is not active`, fix: `${PORTAL} → Voice → Programmable Voice → the application → Active` }
          : { name: 'connection', ok: true, detail: `Call Control application ${input.connectionId}` },
      );
    } catch (err) {
      add({
        name: 'connection',
        ok: false,
        detail: `no Call Control application with id ${input.connectionId} (${why(err)})`,
        fix: `${PORTAL} → Voice → Programmable Voice: create one (or copy its ID into TELNYX_CONNECTION_ID)`,
      });
    }
  }

  // 3. Its outbound voice profile, and the destinations it allows.
  const profileId = app?.outbound?.outbound_voice_profile_id;
  if (app && !profileId) {
    add({
      name: 'outbound voice profile',
      ok: false,
      detail: 'the application has no outbound voice profile: Telnyx refuses its dials',
      fix: `${PORTAL} → Voice → Outbound Voice Profiles: create one and add this application to it`,
    });
  } else if (profileId) {
    try {
      const profile = (await client.outboundVoiceProfiles.retrieve(profileId)).data;
      const allowed = new Set(profile?.whitelisted_destinations ?? []);
      const missing = input.allowedCountries.filter((c) => c !== '001' && !allowed.has(c));
      if (profile?.enabled === false) {
        add({ name: 'outbound voice profile', ok: false, detail: `profile ${profileId} is disabled`, fix: `${PORTAL} → Voice → Outbound Voice Profiles → ${profileId} → Enabled` });
      } else if (missing.length > 0) {
        add({
          name: 'outbound voice profile',
          ok: false,
          detail: `profile ${profileId} does not allow calls to ${missing.join(', ')} (ALLOWED_COUNTRIES)`,
          fix: `${PORTAL} → Voice → Outbound Voice Profiles → ${profileId} → Destinations: allow ${missing.join(', ')}`,
        });
      } else {
        add({ name: 'outbound voice profile', ok: true, detail: `profile ${profileId} allows ${input.allowedCountries.join(', ') || 'the destinations'}` });
      }
    } catch (err) {
      add({ name: 'outbound voice profile', ok: false, detail: `profile ${profileId} could not be read (${why(err)})`, fix: `${PORTAL} → Voice → Outbound Voice Profiles` });
    }
  }

  // 4. The caller id: a number of this account, assigned to the application.
  if (!input.fromNumber) {
    add({ name: 'caller id', ok: false, detail: 'TELNYX_FROM_NUMBER is not set', fix: `${PORTAL} → Numbers → My Numbers: pick one (make setup can write it)` });
  } else if (keyWorks) {
    try {
      const page = await client.phoneNumbers.list({ filter: { phone_number: input.fromNumber } });
      const number = page.data.find((n) => n.phone_number === input.fromNumber);
      if (!number) {
        add({ name: 'caller id', ok: false, detail: `${input.fromNumber} is not a number of this account`, fix: `${PORTAL} → Numbers → Buy Numbers (or port one in)` });
      } else if (input.connectionId && number.connection_id !== input.connectionId) {
        add({
          name: 'caller id',
          ok: false,
          detail: `${input.fromNumber} is not assigned to the application ${input.connectionId} (it is on ${number.connection_id ?? 'none'})`,
          fix: `${PORTAL} → Numbers → My Numbers → ${input.fromNumber} → Connection or App, or run make setup`,
        });
      } else {
        add({ name: 'caller id', ok: true, detail: `${input.fromNumber} belongs to the account and is on the application` });
      }
    } catch (err) {
      add({ name: 'caller id', ok: false, detail: `the numbers could not be read (${why(err)})`, fix: `${PORTAL} → Numbers → My Numbers` });
    }
  }

  // 5. The public key's format (webhooks are verified with it).
  const keyProblem = publicKeyProblem(input.publicKey);
  add(
    keyProblem
      ? { name: 'public key', ok: false, detail: keyProblem, fix: `${PORTAL} → Account Settings → Keys & Credentials → Public Key: copy it into TELNYX_PUBLIC_KEY` }
      : { name: 'public key', ok: true, detail: 'a base64 ed25519 public key' },
  );

  // 6. Channels: MAX_CONCURRENT_CALLS within the application's outbound channel limit, when it sets one.
  const limit = app?.outbound?.channel_limit;
  if (typeof limit === 'number') {
    add(
      input.maxConcurrentCalls > limit
        ? {
            name: 'channels',
            ok: false,
            detail: `MAX_CONCURRENT_CALLS is ${input.maxConcurrentCalls}, above the application's outbound channel limit of ${limit}`,
            fix: `set MAX_CONCURRENT_CALLS=${limit} in .env, or raise the limit at ${PORTAL} → Voice → Programmable Voice → the application → Outbound`,
          }
        : { name: 'channels', ok: true, detail: `MAX_CONCURRENT_CALLS ${input.maxConcurrentCalls} within the application's limit of ${limit}` },
    );
  } else if (app) {
    add({
      name: 'channels',
      ok: true,
      detail: `the application sets no channel limit; MAX_CONCURRENT_CALLS ${input.maxConcurrentCalls} must not exceed the account's (2 before verification, 10 after)`,
    });
  }

  // 7. Webhooks can arrive: the public address answers /health.
  if (input.publicBase) {
    const url = `${input.publicBase.replace(/\/$/, '')}/health`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(input.requestTimeoutMs ?? 10_000) });
      add(
        res.ok
          ? { name: 'webhooks', ok: true, detail: `${url} answers ${res.status}: Telnyx's webhooks can arrive` }
          : { name: 'webhooks', ok: false, detail: `${url} answered ${res.status}`, fix: 'check that PUBLIC_URL (or the tunnel) leads to this service' },
      );
    } catch (err) {
      add({
        name: 'webhooks',
        ok: false,
        detail: `${url} did not answer (${why(err)}): Telnyx's webhooks would not arrive`,
        fix: 'PUBLIC_URL must lead to this service while it runs (make run; the doctor runs again at its start), or use the ngrok tunnel (NGROK_AUTHTOKEN)',
      });
    }
  } else {
    add({ name: 'webhooks', ok: true, detail: 'no PUBLIC_URL: make run opens the ngrok tunnel and checks it at start' });
  }
  return checks;
}

/** A check as one plain line: `ok`/`FAIL`, what was found, and where to fix it. */
export function doctorLine(check: DoctorCheck): string {
  return `${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}${check.fix ? ` — fix: ${check.fix}` : ''}`;
}
