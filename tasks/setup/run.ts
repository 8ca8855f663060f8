/** `make setup` (`node --env-file-if-exists=.env tasks/setup/run.ts [--yes]`): see setup.ts. */
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { setup } from './setup.ts';

const yes = process.argv.includes('--yes');
const ask = async (question: string): Promise<boolean> => {
  if (yes) return true;
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
};
process.exitCode = await setup({ env: process.env, envFile: join(ROOT_DIR, '.env'), ask, write: (line) => process.stdout.write(`${line}\n`) });
