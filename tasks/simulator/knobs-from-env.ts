import { CHANNEL_LIMIT_MODES, DEFAULT_KNOBS, DIAL_UNKNOWN_OUTCOME_MODES, REPEATED_DIAL_ANSWERS } from 'telnyx-simulator';
import type { SimulatorKnobs } from 'telnyx-simulator';

/** Knobs whose default is undefined but that take a number when set. */
const NUMERIC_OPTIONAL: readonly string[] = ['ringTimeoutCapMs'];

/** Allowed values of the knobs that take one of a few words (or a list of them). */
const CHOICES: Readonly<Record<string, readonly string[]>> = {
  channelLimitMode: CHANNEL_LIMIT_MODES,
  channelLimitModes: CHANNEL_LIMIT_MODES,
  repeatedDialCommandId: REPEATED_DIAL_ANSWERS,
  dialUnknownOutcomeModes: DIAL_UNKNOWN_OUTCOME_MODES,
};

/** `SIM_` + the knob's name in upper snake case: `answerDelayMs` → `SIM_ANSWER_DELAY_MS`. */
export function envName(knob: string): string {
  return `SIM_${knob.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

function parseNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

function checkChoice(knob: string, name: string, value: string): string {
  const allowed = CHOICES[knob];
  if (allowed && !allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${value}`);
  return value;
}

/**
 * Reads knobs from `SIM_*` variables, typed after their defaults (lists as comma-separated values); a bad value
 * throws naming the variable, so the runner stops at start-up instead of simulating something else.
 */
export function knobsFromEnv(env: NodeJS.ProcessEnv): Partial<SimulatorKnobs> {
  const knobs: Record<string, unknown> = {};
  for (const [knob, fallback] of Object.entries(DEFAULT_KNOBS)) {
    const name = envName(knob);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (typeof fallback === 'number' || NUMERIC_OPTIONAL.includes(knob)) {
      knobs[knob] = parseNumber(name, raw);
    } else if (typeof fallback === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false, got ${raw}`);
      knobs[knob] = raw === 'true';
    } else if (Array.isArray(fallback)) {
      knobs[knob] = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map((item) => checkChoice(knob, name, item));
    } else {
      knobs[knob] = checkChoice(knob, name, raw);
    }
  }
  return knobs;
}
