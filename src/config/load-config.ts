import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, STAGES, type Config } from './schema.ts';
import { ENV_VARS } from './env-vars.ts';

/** A configuration problem, worded for one line on stderr: `KEY: problem`. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Tree = Record<string, unknown>;

const ENV_NAME_BY_PATH = new Map<string, string>(ENV_VARS.map((v) => [v.path.join('.'), v.name]));
const SECRET_PATHS = ENV_VARS.filter((v) => 'secret' in v && v.secret).map((v) => v.path.join('.'));

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges plain objects (`over` wins); arrays and other values are replaced whole. */
export function mergeConfig(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    node = isTree(child) ? child : (node[key] = {});
  }
  node[path[path.length - 1] as string] = value;
}

function readJson(file: string, required: boolean): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`${file}: cannot be read (${(err as Error).message})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isTree(parsed)) throw new Error('not an object');
    return parsed;
  } catch (err) {
    throw new ConfigError(`${file}: is not a JSON object (${(err as Error).message})`);
  }
}

function deepFreeze<T>(value: T): T {
  if (isTree(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads `config/default.json`, then `config/<STAGE>.json`, then the environment, and validates the result once.
 * Throws {@link ConfigError} naming the offending key (the variable's name when it came from the environment).
 */
export function loadConfig(options: { env: Readonly<Record<string, string | undefined>>; configDir: string; overrides?: Tree }): Config {
  const { env, configDir } = options;
  const stage = env.STAGE || 'development';
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new ConfigError(`STAGE: must be one of ${STAGES.join(', ')} (got "${stage}")`);
  }
  const fromFiles = mergeConfig(readJson(join(configDir, 'default.json'), true), readJson(join(configDir, `${stage}.json`), false));
  for (const secret of SECRET_PATHS) {
    const [head, ...rest] = secret.split('.');
    const inFile = rest.reduce<unknown>((node, key) => (isTree(node) ? node[key] : undefined), fromFiles[head as string]);
    if (inFile !== undefined) throw new ConfigError(`${secret}: secrets come only from the environment, not config files`);
  }

  const fromEnv: Tree = { stage, telnyx: {} };
  const sourceOf = new Map<string, string>();
  for (const variable of ENV_VARS) {
    const raw = env[variable.name];
    if (raw === undefined || raw === '') continue;
    setPath(fromEnv, variable.path, raw);
    sourceOf.set(variable.path.join('.'), variable.name);
  }

  const result = configSchema.safeParse(mergeConfig(mergeConfig(fromFiles, fromEnv), options.overrides ?? {}));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      // A list item's issue (`scheduling.allowedCountries.0`) is named after the variable that holds the list.
      const keys = issue.path.map((_, i) => issue.path.slice(0, issue.path.length - i).join('.'));
      const name = keys.map((k) => sourceOf.get(k) ?? ENV_NAME_BY_PATH.get(k)).find((n) => n !== undefined);
      return `${name ?? issue.path.join('.')}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('; '));
  }
  return deepFreeze(result.data);
}
