import test from 'ava';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { maskNumber, transitionLine } from '../../../src/calls/transition-log.ts';

type Line = Record<string, unknown>;
const LEVEL = { debug: 20, info: 30 } as const;

test('when static files and health checks are fetched, then their lines are debug; a page, an API call and a missing static file stay info', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  for (const path of ['/static/site.css', '/static/app.js', '/health', '/ready', '/docs/api/swagger-ui.css', '/login', '/api/calls', '/static/nothing-here.css']) {
    await (await fetch(`${svc.url}${path}`)).arrayBuffer();
    await svc.waitForLog((l) => l.msg === 'request' && l.path === path);
  }
  const level = (path: string) => svc.logs.find((l: Line) => l.msg === 'request' && l.path === path)?.level;
  for (const path of ['/static/site.css', '/static/app.js', '/health', '/ready', '/docs/api/swagger-ui.css']) t.is(level(path), LEVEL.debug, path);
  for (const path of ['/login', '/api/calls', '/static/nothing-here.css']) t.is(level(path), LEVEL.info, path);
});

test('when a call is dialed, answered and ends, then each step is one info line naming only the last four digits', async (t) => {
  const h = await bootWithSimulator(t);
  const id = await h.placeNow('+12025550123');
  await h.ended(id);
  // The store the test watches is the one the log wraps: its change is seen a turn before the line is written.
  await h.svc.waitForLog((l: Line) => l.callId === id && String(l.msg).startsWith('call ended'));
  const lines = h.svc.logs.filter((l: Line) => l.callId === id && l.level === LEVEL.info);
  t.deepEqual(
    lines.map((l) => l.msg),
    ['dialing', 'answered', 'answered by a person', 'call ended: completed, answered by a person'],
  );
  t.true(lines.every((l) => l.to === '…0123'));
  t.false(JSON.stringify(h.svc.logs.filter((l: Line) => l.level === LEVEL.info)).includes('202555'), 'no info line carries more of the number');
});

test('when a transition is told, then the words say how it ended and who answered', (t) => {
  t.is(maskNumber('+442079460000'), '…0000');
  t.is(transitionLine({ status: 'in_progress', answeredBy: 'machine', reason: null }, 'in_progress'), 'answered by a machine');
  t.is(transitionLine({ status: 'busy', answeredBy: null, reason: null }, 'busy'), 'call ended: busy');
  t.is(transitionLine({ status: 'failed', answeredBy: null, reason: 'dial failed: 403' }, 'failed'), 'call ended: failed (dial failed: 403)');
  t.is(transitionLine({ status: 'ringing', answeredBy: null, reason: null }, 'ringing'), undefined);
});
