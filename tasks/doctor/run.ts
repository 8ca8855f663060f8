/** `make doctor` (`node --env-file-if-exists=.env tasks/doctor/run.ts`): checks the Telnyx set-up; exit 1 names each failure. */
import { doctor } from './doctor.ts';

process.exitCode = await doctor(process.env, (line) => process.stdout.write(`${line}\n`));
