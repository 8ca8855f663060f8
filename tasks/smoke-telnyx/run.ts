/** `make smoke-telnyx TO=+1…` (`node --env-file-if-exists=.env tasks/smoke-telnyx/run.ts +1…`): see smoke.ts. */
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { smoke } from './smoke.ts';

const { code } = await smoke({
  env: process.env,
  to: process.argv[2],
  reportDir: join(ROOT_DIR, 'data', 'smoke-telnyx'),
  write: (line) => process.stdout.write(`${line}\n`),
});
process.exitCode = code;
