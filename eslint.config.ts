import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { dependencyRule } from './tasks/lint/dependency-rule.ts';

export default tseslint.config(
  // templates/static/ is plain browser script, outside the TypeScript project.
  { ignores: ['node_modules/', 'data/', 'bench/results/', 'coverage/', 'templates/static/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...dependencyRule,
  {
    // The SQLite adapter implements an async port with a synchronous driver on purpose (see sqlite-store.ts).
    files: ['src/store/sqlite/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: {
      // ava's t.throwsAsync and friends return promises that tests await; unbound-method trips on `t.is`-style helpers.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
