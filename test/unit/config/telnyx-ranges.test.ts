import test from 'ava';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';

const configDir = join(ROOT_DIR, 'config');
const load = (telnyx: Record<string, unknown>, scheduling: Record<string, unknown> = {}) => loadConfig({ env: {}, configDir, overrides: { telnyx, scheduling } });

test('when nothing is set, then dials ask for greeting_end detection, ring 30 s and the menu waits 8 s', (t) => {
  const config = load({});
  t.is(config.telnyx.answeringMachineDetection, 'greeting_end');
  t.is(config.telnyx.ringTimeoutSecs, 30);
  t.is(config.telnyx.menuTimeoutMs, 8000);
});

const refused: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
  ['a ring timeout under Telnyx’s 5 s', { ringTimeoutSecs: 4 }, {}, /telnyx\.ringTimeoutSecs/],
  ['a ring timeout over Telnyx’s 600 s', { ringTimeoutSecs: 601 }, {}, /telnyx\.ringTimeoutSecs/],
  ['a language the SDK does not list', { language: 'en' }, {}, /telnyx\.language/],
  ['a detection mode the SDK does not list', { answeringMachineDetection: 'guess' }, {}, /telnyx\.answeringMachineDetection/],
  ['a basic voice with another language than en-US', { voice: 'female', language: 'de-DE' }, {}, /telnyx\.language.*en-US/],
  ['a time limit under Telnyx’s 30 s', { timeLimitSecs: 29 }, {}, /telnyx\.timeLimitSecs/],
  ['a menu wait over Telnyx’s 120 s', { menuTimeoutMs: 120_001 }, {}, /telnyx\.menuTimeoutMs/],
  ['a message longer than a prompt leaves room for with the menu', {}, { messageMaxLength: 3000 }, /scheduling\.messageMaxLength/],
];
for (const [name, telnyx, scheduling, message] of refused) {
  test(`when the config has ${name}, then the start is refused naming it`, (t) => {
    const err = t.throws(() => load(telnyx, scheduling), { instanceOf: ConfigError });
    t.regex(err.message, message);
  });
}

test('when the voice is basic and the language en-US, then it is accepted', (t) => {
  t.is(load({ voice: 'male', language: 'en-US' }).telnyx.voice, 'male');
});
