import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarrierSimulator } from 'telnyx-simulator';
import { smoke, type SmokeReport } from '../../../tasks/smoke-telnyx/smoke.ts';
import { freePort } from '../../../tasks/free-port.ts';


test('when make smoke-telnyx runs against the simulator standing in for Telnyx, then one call is placed with the menu and the report holds its requests, webhooks, active-calls paging, detection and error codes, with no secret in it', async (t) => {
  const simulator = new CarrierSimulator({ answerDelayMs: 20, speakMsPerChar: 0, amdDelayMs: 10, digitDelayMs: 5 });
  simulator.account.apiKeys.push('KEY_SMOKE_SECRET');
  const { baseUrl } = await simulator.start();
  const reportDir = mkdtempSync(join(tmpdir(), 'daj-smoke-report-'));
  t.teardown(async () => {
    await simulator.stop();
    rmSync(reportDir, { recursive: true, force: true });
  });
  const port = await freePort();
  const lines: string[] = [];
  const env = {
    TELNYX_API_KEY: 'KEY_SMOKE_SECRET',
    TELNYX_BASE_URL: baseUrl,
    TELNYX_CONNECTION_ID: 'simulated-connection',
    TELNYX_FROM_NUMBER: '+12025550100',
    TELNYX_PUBLIC_KEY: simulator.publicKeyBase64,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
  };
  // 0909: a person who presses 9 at the first menu (the simulator's scenario).
  const { code, file } = await smoke({ env, to: '+12025550909', reportDir, write: (line) => lines.push(line), timeoutMs: 30_000 });
  t.is(code, 0, lines.join('\n'));
  const text = readFileSync(file as string, 'utf8');
  t.false(text.includes('KEY_SMOKE_SECRET'), 'the API key never reaches the report');
  const report = JSON.parse(text) as SmokeReport;
  t.like(report.call, { status: 'completed', answeredBy: 'human' });
  t.is(report.outcome, 'ended');
  t.deepEqual(report.doctor.filter((l) => l.startsWith('FAIL')), []);
  // Every request the service sent, as the wire carried it: the dial, the menu, the goodbye, the hangup.
  const paths = report.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
  t.true(paths.includes('POST /calls'));
  t.true(paths.some((p) => p.endsWith('/actions/gather_using_speak')));
  t.true(paths.some((p) => p.endsWith('/actions/hangup')));
  t.like(report.requests.find((r) => r.path === '/calls')?.requestBody, { to: '+12025550909', answering_machine_detection: 'greeting_end' });
  // Every webhook, signed, in the order received.
  const events = report.webhooks.map((w) => w.eventType);
  for (const type of ['call.initiated', 'call.answered', 'call.machine.detection.ended', 'call.gather.ended', 'call.hangup']) t.true(events.includes(type), type);
  t.true(report.webhooks.every((w) => w.signed));
  t.deepEqual(report.detection, [{ eventType: 'call.machine.detection.ended', result: 'human' }]);
  // The raw active-calls paging while the call lived: one page with the cursor meta.
  t.true(report.activeCallsPaging.length >= 1);
  t.true(report.activeCallsPaging.every((p) => p.path.includes('page%5Blimit%5D=250') || p.path.includes('page[limit]=250')));
  t.like(report.activeCallsPaging[0], { status: 200, count: 1 });
  t.deepEqual(report.errorCodes, []);
  t.true(report.timeline.some((e) => e.name === 'do-not-call'));
  t.true(lines.some((l) => l.startsWith('Report written to ')));
  t.deepEqual(simulator.placedCount(Buffer.from(report.call?.id ?? '', 'utf8').toString('base64')), 1);
});

test('when no number is given or no API key is set, then the smoke says what to do and places nothing', async (t) => {
  const lines: string[] = [];
  t.is((await smoke({ env: {}, to: '+15551234567', reportDir: tmpdir(), write: (l) => lines.push(l) })).code, 1);
  t.is((await smoke({ env: { TELNYX_API_KEY: 'k' }, to: undefined, reportDir: tmpdir(), write: (l) => lines.push(l) })).code, 1);
  t.regex(lines[0] ?? '', /needs a real account/);
  t.regex(lines[1] ?? '', /make smoke-telnyx TO=\+15551234567/);
});
