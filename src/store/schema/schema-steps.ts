import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One numbered schema step as a dialect runs it: the tokens substituted, the name recorded in `schema_migrations`. */
export type SchemaStep = { version: number; name: string; sql: string };

/**
 * How one dialect spells what the two databases spell differently, by token: `{bigint}` (epoch-ms times, 64-bit),
 * `{strict}` (after a table's closing parenthesis), `{identity}` (an ever-increasing id) and `{rowid}` (an id
 * the database assigns, which SQLite may reuse after a delete).
 */
export type SchemaTokens = { bigint: string; strict: string; identity: string; rowid: string };

const STEP_FILE = /^(\d{4})-[a-z0-9-]+\.sql$/;

/**
 * Reads `dir`'s numbered files (`0001-calls.sql` …) in order and substitutes `tokens`. A step's first line is
 * `-- name: …`. A released step is never edited (a database records only its number): add the next file instead.
 * Read at migrate time, so only at start, never on a request.
 */
export function readSchemaSteps(tokens: SchemaTokens, dir = import.meta.dirname): SchemaStep[] {
  const files = readdirSync(dir).filter((file) => STEP_FILE.test(file)).sort();
  // 1, 2, 3…: a gap is a step file missing from this checkout, and a number used twice is two changes that both
  // took it; either would leave databases migrated differently, so the start fails and names the file.
  return files.map((file, i) => {
    const version = Number(STEP_FILE.exec(file)?.[1]);
    if (version === Number(STEP_FILE.exec(files[i - 1] ?? '')?.[1])) throw new Error(`schema step ${file}: number ${version} is used twice`);
    if (version !== i + 1) throw new Error(`schema step ${file}: expected number ${i + 1}`);
    const text = readFileSync(join(dir, file), 'utf8');
    const name = /^-- name: (.+)\n/.exec(text)?.[1];
    if (!name) throw new Error(`schema step ${file}: the first line must be "-- name: …"`);
    const sql = text.replace(/\{(\w+)\}/g, (token, key: string) => {
      if (!Object.hasOwn(tokens, key)) throw new Error(`schema step ${file}: unknown token ${token}`);
      return tokens[key as keyof SchemaTokens];
    });
    return { version, name, sql };
  });
}
