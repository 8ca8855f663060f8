import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Telnyx, { APIError } from 'telnyx';

const PORTAL = 'portal.telnyx.com';

/** Sets `key=value` in a dotenv file: the line replaced when present, else appended (the file made when missing). */
export function writeEnvValue(file: string, key: string, value: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const line = `${key}=${value}`;
  const pattern = new RegExp(`^${key}=.*$`, 'm');
  const next = pattern.test(text) ? text.replace(pattern, line) : `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
  writeFileSync(file, next, { mode: 0o600 });
}

type Io = {
  env: Readonly<Record<string, string | undefined>>;
  /** The dotenv file ids are written into. */
  envFile: string;
  /** Asks a yes/no question; false unless the person says yes. */
  ask: (question: string) => Promise<boolean>;
  write: (line: string) => void;
};

const why = (err: unknown) => (err instanceof APIError ? `${err.status ?? ''} ${err.message}`.trim() : err instanceof Error ? err.message : String(err));

/**
 * `make setup`: what the Telnyx API allows of the set-up, each step said as it is done. Finds the Call Control
 * application and the caller id when `.env` names none and the account has exactly one (and writes them into
 * `.env`), assigns the caller id to the application, and points the application's webhook URL at
 * `PUBLIC_URL/webhook`. Anything the account already had (another webhook URL, the number on another application)
 * is changed only after a yes. Resolves with the exit code.
 */
export async function setup(io: Io): Promise<number> {
  const { env, write } = io;
  if (!env.TELNYX_API_KEY) {
    write('TELNYX_API_KEY is not set: copy .env.example to .env and put your API key in it (see docs/real-telnyx.md).');
    return 1;
  }
  const client = new Telnyx({ apiKey: env.TELNYX_API_KEY, baseURL: env.TELNYX_BASE_URL || undefined, maxRetries: 0, timeout: 15_000 });
  try {
    // 1. The Call Control application.
    let connectionId = env.TELNYX_CONNECTION_ID || undefined;
    if (!connectionId) {
      const apps = (await client.callControlApplications.list({ 'page[size]': 250 })).data;
      if (apps.length !== 1) {
        write(
          apps.length === 0
            ? `No Call Control application on the account: create one at ${PORTAL} → Voice → Programmable Voice, then run make setup again.`
            : `Several Call Control applications (${apps.map((a) => `${a.id} "${a.application_name}"`).join(', ')}): put the one to use in .env as TELNYX_CONNECTION_ID.`,
        );
        return 1;
      }
      connectionId = (apps[0] as { id: string }).id;
      writeEnvValue(io.envFile, 'TELNYX_CONNECTION_ID', connectionId);
      write(`Wrote TELNYX_CONNECTION_ID=${connectionId} into ${io.envFile} (the account's only Call Control application).`);
    }
    const app = (await client.callControlApplications.retrieve(connectionId)).data;
    if (!app) throw new Error(`no application ${connectionId}`);

    // 2. The caller id.
    let fromNumber = env.TELNYX_FROM_NUMBER || undefined;
    if (!fromNumber) {
      const numbers = (await client.phoneNumbers.list({ 'page[size]': 250 })).data;
      if (numbers.length !== 1) {
        write(
          numbers.length === 0
            ? `No phone number on the account: buy one at ${PORTAL} → Numbers → Buy Numbers, then run make setup again.`
            : `Several phone numbers (${numbers.map((n) => n.phone_number).join(', ')}): put the caller id in .env as TELNYX_FROM_NUMBER.`,
        );
        return 1;
      }
      fromNumber = (numbers[0] as { phone_number: string }).phone_number;
      writeEnvValue(io.envFile, 'TELNYX_FROM_NUMBER', fromNumber);
      write(`Wrote TELNYX_FROM_NUMBER=${fromNumber} into ${io.envFile} (the account's only number).`);
    }
    const number = (await client.phoneNumbers.list({ filter: { phone_number: fromNumber } })).data.find((n) => n.phone_number === fromNumber);
    if (!number?.id) {
      write(`${fromNumber} is not a number of this account: see ${PORTAL} → Numbers → My Numbers.`);
      return 1;
    }
    if (number.connection_id === connectionId) {
      write(`${fromNumber} is already assigned to the application ${connectionId}.`);
    } else if (!number.connection_id || (await io.ask(`${fromNumber} is assigned to ${number.connection_id}; move it to the application ${connectionId}?`))) {
      await client.phoneNumbers.update(number.id, { connection_id: connectionId });
      write(`Assigned ${fromNumber} to the application ${connectionId}.`);
    } else {
      write(`Left ${fromNumber} on ${number.connection_id}: Telnyx may refuse it as the caller id of ${connectionId}.`);
    }

    // 3. The application's webhook URL.
    const publicUrl = env.PUBLIC_URL?.replace(/\/$/, '');
    if (!publicUrl) {
      write('No PUBLIC_URL: with the ngrok tunnel each call names its webhook URL itself, so the application is left as it is.');
    } else {
      const target = `${publicUrl}/webhook`;
      const current = app.webhook_event_url;
      if (current === target) {
        write(`The application's webhook URL is already ${target}.`);
      } else if (!current || (await io.ask(`The application's webhook URL is ${current}; change it to ${target}?`))) {
        await client.callControlApplications.update(connectionId, { application_name: app.application_name ?? 'dial-a-joke', webhook_event_url: target });
        write(`Pointed the application's webhook URL at ${target}.`);
      } else {
        write(`Left the application's webhook URL at ${current}.`);
      }
    }
    write('Set-up done: run make doctor to check it, then make run.');
    return 0;
  } catch (err) {
    write(`The Telnyx API refused a step (${why(err)}): run make doctor to see which piece is missing.`);
    return 1;
  }
}
