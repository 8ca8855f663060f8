import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT_DIR } from '../../src/kernel/paths.ts';

function run(env: Record<string, string>) {
  return spawn(process.execPath, [join(ROOT_DIR, 'src/main.ts')], {
    env: { PATH: process.env.PATH ?? '', STAGE: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

for (const [env, key] of [
  [{ PORT: 'abc' }, 'PORT'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
] as const) {
  test(`when started with ${JSON.stringify(env)}, then it exits non-zero with one line naming ${key} and no stack`, async (t) => {
    const child = run(env);
    const [stderr, [code]] = await Promise.all([collect(child.stderr), once(child, 'exit') as Promise<[number]>]);
    t.is(code, 1);
    const lines = stderr.trim().split('\n');
    t.is(lines.length, 1);
    t.true(lines[0]?.startsWith(`config error: ${key}: `));
    t.false(stderr.includes('    at '));
  });
}

test('when started on port 0 and sent SIGTERM, then it serves /health and exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-main-'));
  const child = run({ PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${join(dir, 'main.db')}` });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  let url = '';
  for await (const line of createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line) as { msg: string; url?: string };
    if (entry.msg === 'listening') {
      url = entry.url ?? '';
      break;
    }
  }
  const res = await fetch(`${url}/health`);
  t.is(res.status, 200);
  child.kill('SIGTERM');
  const [code] = await exited;
  t.is(code, 0);
});
