// The repository's lint rules, in one place; `npm run lint` runs them from the repository root.
// This folder has its own dependencies: typescript-eslint's type-aware rules use the TypeScript 6
// compiler API, while the build uses TypeScript 7, which has no JavaScript API.
import js from '@eslint/js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'network/.bin/**', 'network/run/**', '**/.run/**', 'tools/**', '.venv/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // Promises: every one awaited, returned or explicitly voided; none passed where a callback's result is ignored.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true, allowAny: true }],
      // Deliberate: String(x) of an unknown value is how logs and messages print what arrived.
      '@typescript-eslint/no-base-to-string': 'off',
      // Services are built from closures (createX factories), whose functions never use `this`.
      '@typescript-eslint/unbound-method': 'off',
      // ANSI escapes and the GS1 group separator are matched on purpose.
      'no-control-regex': 'off',
      'no-console': 'off',
      // The lint type-checks with TypeScript 6 and the build with 7: an assertion one needs may look
      // unnecessary to the other, and removing it automatically breaks the build.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Ledger payloads, protobuf messages and HTTP bodies are untyped JSON at the edges; they are
      // validated by schema where they enter, so the unsafe-any family stays off.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // An async function without await keeps a Promise-returning contract (interfaces, handlers).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai's `expect(x).to.be.true` style assertions are expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
