// `npm run lint:openapi` (part of `npm run check`): the OpenAPI document, built as the service builds it, linted by
// Redocly's CLI with its recommended rules; any error or warning fails. The document is written to a temp file
// because the CLI reads files; the server named is the default listen address (PUBLIC_URL's place).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildOpenApiDocument } from '../../src/http/openapi/openapi-document.ts';

type Report = { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };

const dir = await mkdtemp(join(tmpdir(), 'daj-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(buildOpenApiDocument({ version: '0.0.0', serverUrl: 'http://127.0.0.1:3000' }), null, 2));
  const cli = join(createRequire(import.meta.url).resolve('@redocly/cli/package.json'), '..', 'bin', 'cli.js');
  const run = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--extends', 'recommended', '--format', 'json'], { maxBuffer: 16 << 20 }).catch(
    (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
  const report = JSON.parse(run.stdout) as Report;
  for (const p of report.problems) console.log(`${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`);
  console.log(`OpenAPI lint (Redocly, recommended rules): ${report.totals.errors} errors, ${report.totals.warnings} warnings`);
  process.exitCode = report.totals.errors + report.totals.warnings > 0 ? 1 : 0;
} finally {
  await rm(dir, { recursive: true, force: true });
}
