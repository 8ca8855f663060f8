import test from 'ava';
import { PassThrough } from 'node:stream';
import { createProgress } from '../../../tasks/bench/progress.ts';

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { progress: createProgress(out as unknown as NodeJS.WriteStream), lines: () => text.trim().split('\n') };
}

test('when a step counts against a new total, then it is a new phase; a timeout note says which step and phase were running', (t) => {
  const { progress, lines } = capture();
  progress.step('[3/12] timer precision');
  progress.detail('31/200 dialed');
  progress.detail('200/200 dialed');
  progress.detail('32/60 dialed');
  progress.note('timer precision: FAILED — TimeoutError: The operation was aborted due to timeout');
  progress.step('[4/12] webhook ingest');
  progress.detail('signing webhooks 10000/50000');
  progress.stop();
  t.deepEqual(lines(), [
    '[3/12] timer precision',
    '[3/12] timer precision — 31/200 dialed',
    '[3/12] timer precision — 200/200 dialed',
    '[3/12] timer precision — phase 2: 32/60 dialed',
    'timer precision: FAILED — TimeoutError: The operation was aborted due to timeout [during: [3/12] timer precision — phase 2: 32/60 dialed]',
    '[4/12] webhook ingest',
    '[4/12] webhook ingest — signing webhooks 10000/50000',
  ]);
});
