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
/** Libraries only an adapter (or the composition root) may use: the carrier's SDK, the simulator, a database, HTTP, mail. */
const ADAPTER_LIBRARIES = ['telnyx', 'telnyx-simulator', 'pg', 'node:sqlite', 'koa', '@koa/router', 'koa-body', 'nodemailer'];
const forbid = (folders: string[], message: string) => ({
  regex: `(^|/)(${folders.join('|')})/|(^|/)\\.\\./(${TOP.join('|')})\\.ts$`,
  message,
});
const libraries = (message: string) => ({ regex: `^(${ADAPTER_LIBRARIES.join('|')})(/|$)`, message });
const layer = (files: string, folders: string[], message: string, inner = false): Linter.Config => ({
  files: [files],
  rules: { 'no-restricted-imports': ['error', { patterns: [forbid(folders, message), ...(inner ? [libraries(`${message} Libraries of the adapters stay there.`)] : [])] }] },
});
const others = (list: string[], self: string) => list.filter((name) => name !== self);

/** One config block per layer, for eslint.config.ts (and the test that proves a wrong import fails). */
export const dependencyRule: Linter.Config[] = [
  {
    files: ['src/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\./)*\\.\\./', message: 'kernel/ imports nothing from the rest of src/.' }, libraries('kernel/ uses no adapter library.')] },
      ],
    },
  },
  layer('src/calls/**/*.ts', [...FLOWS, ...ADAPTERS, 'config', 'compose'], 'calls/ imports only kernel/ and calls/.', true),
  ...FLOWS.map((flow) =>
    layer(`src/${flow}/**/*.ts`, [...others(FLOWS, flow), ...ADAPTERS, 'config', 'compose'], `${flow}/ imports only kernel/, calls/ and itself: another flow is reached through a callback wired in compose/.`, true),
  ),
  ...ADAPTERS.map((adapter) =>
    layer(`src/${adapter}/**/*.ts`, [...others(ADAPTERS, adapter), 'config', 'compose'], `${adapter}/ is an adapter: it imports kernel/, calls/ and the flows' ports, never another adapter or compose/.`),
  ),
  {
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid([...FLOWS, 'store', 'http', 'jokes', 'mail', 'compose'], 'config/ reads only kernel/, calls/ and the carrier adapter’s constant lists.'),
            { regex: '(^|/)telnyx/(?!speech-options\\.ts$)', message: 'config/ reads only the carrier adapter’s constant lists (telnyx/speech-options.ts).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/compose/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: `(^|/)\\.\\./(${TOP.join('|')})\\.ts$`, message: 'compose/ is imported by app, service and main, never the other way.' }] }] },
  },
  {
    files: ['packages/telnyx-simulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)src/', message: 'The simulator package stands alone: nothing from the service’s src/.' }] }] },
  }
];
