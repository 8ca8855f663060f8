import type { Linter } from 'eslint';

/**
 * The dependency rule (ARCHITECTURE.md): kernel ← calls ← the flows ← the adapters ← config ← compose ← app, service,
 * main. A layer imports only from the layers before it; the flows never import one another (cross-flow effects are
 * callbacks wired in compose/), and adapters never import one another. Each entry lists the folders a layer may not
 * reach, matched against the import's path.
 */
const FLOWS = ['dialing', 'inbox', 'upkeep', 'schedules', 'accounts', 'live'];
const ADAPTERS = ['store', 'telnyx', 'http', 'jokes', 'mail'];
const TOP = ['app', 'service', 'main'];
const forbid = (folders: string[], message: string) => ({
  regex: `(^|/)(${folders.join('|')})/|(^|/)\\.\\./(${TOP.join('|')})\\.ts$`,
  message,
});
const layer = (files: string, folders: string[], message: string): Linter.Config => ({
  files: [files],
  rules: { 'no-restricted-imports': ['error', { patterns: [forbid(folders, message)] }] },
});
const others = (list: string[], self: string) => list.filter((name) => name !== self);

/** One config block per layer, for eslint.config.ts (and the test that proves a wrong import fails). */
export const dependencyRule: Linter.Config[] = [
  {
    files: ['src/kernel/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'kernel/ imports nothing from the rest of src/.' }] }] },
  },
  layer('src/calls/**/*.ts', [...FLOWS, ...ADAPTERS, 'config', 'compose'], 'calls/ imports only kernel/ and calls/.'),
  ...FLOWS.map((flow) =>
    layer(`src/${flow}/**/*.ts`, [...others(FLOWS, flow), ...ADAPTERS, 'config', 'compose'], `${flow}/ imports only kernel/, calls/ and itself: another flow is reached through a callback wired in compose/.`),
  ),
  ...ADAPTERS.map((adapter) =>
    layer(`src/${adapter}/**/*.ts`, [...others(ADAPTERS, adapter), 'config', 'compose'], `${adapter}/ is an adapter: it imports kernel/, calls/ and the flows' ports, never another adapter or compose/.`),
  ),
  layer('src/config/**/*.ts', [...FLOWS, 'store', 'http', 'jokes', 'mail', 'compose'], 'config/ reads only kernel/, calls/ and the carrier adapter’s constant lists.'),
  {
    files: ['src/compose/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: `(^|/)\\.\\./(${TOP.join('|')})\\.ts$`, message: 'compose/ is imported by app, service and main, never the other way.' }] }] },
  },
  {
    files: ['packages/telnyx-simulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)src/', message: 'The simulator package stands alone: nothing from the service’s src/.' }] }] },
  }
];
