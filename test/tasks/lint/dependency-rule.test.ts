import test from 'ava';
import { ESLint } from 'eslint';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { dependencyRule } from '../../../tasks/lint/dependency-rule.ts';

// Only the dependency rule, on files that need not exist: the full config's type-aware rules would want them on disk.
const eslint = new ESLint({
  cwd: ROOT_DIR,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...dependencyRule],
});

async function problems(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import type { X } from '${specifier}';\nexport type Y = X;\n`, { filePath: join(ROOT_DIR, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const wrong: [string, string][] = [
  ['src/kernel/probe.ts', '../calls/call.ts'],
  ['src/calls/probe.ts', '../dialing/dialer.ts'],
  ['src/calls/input/probe.ts', '../../store/store.ts'],
  ['src/dialing/probe.ts', '../inbox/inbox-worker.ts'],
  ['src/schedules/probe.ts', '../telnyx/telnyx-events.ts'],
  ['src/live/probe.ts', '../compose/index.ts'],
  ['src/store/probe.ts', '../http/call-json.ts'],
  ['src/telnyx/probe.ts', '../store/store.ts'],
  ['src/http/probe.ts', '../compose/index.ts'],
  ['src/config/probe.ts', '../dialing/dialer.ts'],
  ['src/compose/probe.ts', '../service.ts'],
  ['packages/telnyx-simulator/probe.ts', '../../src/kernel/clock.ts'],
  ['src/kernel/probe.ts', './../calls/call.ts'],
  ['src/calls/probe.ts', 'telnyx'],
  ['src/dialing/probe.ts', 'pg'],
  ['src/inbox/probe.ts', 'telnyx-simulator'],
  ['src/config/probe.ts', '../telnyx/telnyx-telephony.ts'],
];

for (const [file, specifier] of wrong) {
  test(`when ${file} imports ${specifier}, then lint refuses it`, async (t) => {
    const found = await problems(file, specifier);
    t.is(found.length, 1, found.join('\n'));
    t.regex(found[0] ?? '', /^no-restricted-imports: /);
  });
}

const right: [string, string][] = [
  ['src/calls/probe.ts', '../kernel/clock.ts'],
  ['src/dialing/probe.ts', '../calls/call-store.ts'],
  ['src/dialing/probe.ts', './dialer.ts'],
  ['src/store/probe.ts', '../dialing/dial-store.ts'],
  ['src/http/probe.ts', '../inbox/receive-webhook.ts'],
  ['src/compose/probe.ts', '../store/store.ts'],
  ['src/config/probe.ts', '../telnyx/speech-options.ts'],
  ['src/telnyx/probe.ts', 'telnyx'],
];

for (const [file, specifier] of right) {
  test(`when ${file} imports ${specifier}, then lint lets it through`, async (t) => {
    t.deepEqual(await problems(file, specifier), []);
  });
}
