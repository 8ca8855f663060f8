import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How many of the earliest due calls a claim ranks for the fair share. The round-robin holds among these: with
 * more due at once (a backlog far past what the limits let accounts queue), the rest wait in due order behind them.
 */
export const FAIR_SCAN = 1000;

const TEXT = readFileSync(join(import.meta.dirname, 'fair-pick.sql'), 'utf8');

/** The fair share's pick (fair-pick.sql) with each `:name` parameter written as `param(name)` says. */
export function fairPick(param: (name: string) => string): string {
  return TEXT.replace(/:([a-z]+)\b/g, (_, name: string) => param(name));
}
