import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

test('when started against Telnyx with a TELNYX_PUBLIC_KEY that is not an ed25519 key, then it stops with one line naming it', async (t) => {
  const child = spawn(process.execPath, [join(ROOT_DIR, 'src/main.ts')], {
    env: {
      PATH: process.env.PATH ?? '',
      STAGE: 'test',
      TELNYX_API_KEY: 'KEY_TEST',
      // The API key pasted where the public key belongs: every webhook would fail verification.
      TELNYX_PUBLIC_KEY: 'KEY_TEST',
      TELNYX_CONNECTION_ID: 'conn-1',
      TELNYX_FROM_NUMBER: '+12025550100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [stderr, [code]] = await Promise.all([collect(child.stderr), once(child, 'exit') as Promise<[number]>]);
  t.is(code, 1);
  const lines = stderr.trim().split('\n');
  t.is(lines.length, 1);
  t.regex(lines[0] ?? '', /^config error: TELNYX_PUBLIC_KEY: must be the base64 of a 32-byte ed25519 public key/);
});
