import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CALLS_DIR = join(import.meta.dirname, '../../../src/calls');

test('when the call domain (src/calls) is read, then no module there imports the Telnyx adapter or reads a webhook payload', (t) => {
  const files = readdirSync(CALLS_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  t.true(files.length > 10);
  for (const file of files) {
    const text = readFileSync(join(CALLS_DIR, file), 'utf8');
    t.notRegex(text, /from '(\.\.\/)+telnyx\//, `${file} imports a Telnyx module`);
    t.notRegex(text, /\.payload\b|\.eventType\b/, `${file} reads the carrier's event JSON`);
  }
});
