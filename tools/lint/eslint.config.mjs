// The repository's lint rules, in one place; `npm run lint` runs them from the repository root.
// This folder has its own dependencies: typescript-eslint's type-aware rules use the TypeScript 6
// compiler API, while the build uses TypeScript 7, which has no JavaScript API.
import js from '@eslint/js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---- Boundaries: the layers of DESIGN.md §7, enforced on every import ---------------------------------
// Libraries (lib/<name>/src, one entry file each) sit below the services; services never import each
// other; only the fabric library talks to the Fabric SDKs; the console imports browser-safe code only.
const SERVICES = ['chaincode', 'gateway', 'indexer', 'auditor'];
const FABRIC_SDKS = ['fabric-network', 'fabric-common', '@hyperledger/fabric-gateway', 'fabric-protos', 'fabric-ca-client'];
const sdkRule = (who) => ({
  regex: `^(${FABRIC_SDKS.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})(/|$)`,
  message: `boundary/fabric-sdk: ${who} may not import a Fabric SDK; only lib/fabric does (use its LedgerClient, block and proof helpers).`,
});
const serviceRule = (self) => ({
  regex: `(^|/)(${[...SERVICES, 'network', 'console'].filter((s) => s !== self).join('|')})/src(/|$)`,
  message: `boundary/no-service-import: ${self} may not import another service, the console or network/; move shared code to a library in lib/.`,
});
const deepLibRule = {
  regex: '(^|/)lib/(domain|platform|epcis|fabric)/src/.+',
  message: 'boundary/library-entry: import a library through its entry file (lib/<name>/src), not its internals.',
};
const libRule = (self, allowed) => ({
  regex: `^(\\.\\./)+(?!(${[self, ...allowed].join('|')})/)(domain|platform|epcis|fabric)/src|^(\\.\\./)+(\\.\\./)?(${[...SERVICES, 'network', 'console'].join('|')})/`,
  message: `boundary/library-layers: lib/${self} may import only ${allowed.length ? allowed.map((a) => 'lib/' + a).join(', ') : 'no other library'} and never a service, network/ or the console.`,
});
const libDeepRule = (self) => ({
  regex: `^(\\.\\./)+(?!${self}/)(domain|platform|epcis|fabric)/src/.+`,
  message: 'boundary/library-entry: import another library through its entry file (lib/<name>/src), not its internals.',
});
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const boundaries = [
  ...SERVICES.map((svc) => ({ files: [`${svc}/src/**/*.ts`], rules: restrict(serviceRule(svc), deepLibRule, sdkRule(`${svc}/`)) })),
  {
    // `npm start` wires the services in one process: its start file alone may load their entry points.
    files: ['network/src/**/*.ts'],
    ignores: ['network/src/start.ts'],
    rules: restrict(serviceRule('network'), deepLibRule, sdkRule('network/')),
  },
  {
    files: ['network/src/start.ts'],
    rules: restrict(
      {
        regex: '(^|/)(chaincode|auditor|console)/src(/|$)|(^|/)(gateway|indexer)/src/(?!(main|config)$)',
        message: 'boundary/no-service-import: network/src/start.ts may load only the services\' entry points (main, config).',
      },
      deepLibRule,
      sdkRule('network/'),
    ),
  },
  {
    files: ['console/src/**/*.ts', 'console/src/**/*.tsx'],
    rules: restrict(
      {
        regex: `(^|/)(${[...SERVICES, 'network'].join('|')})/src(/|$)|(^|/)lib/(platform|epcis|fabric)/src`,
        message: 'boundary/console-browser: the console runs in the browser; it may import only lib/domain (browser-safe), never server code.',
      },
      deepLibRule,
      {
        // The browser's own proof verifier decodes blocks with Fabric's protobuf definitions, independently of the server.
        regex: `^(fabric-network|fabric-common|@hyperledger/fabric-gateway|fabric-ca-client)(/|$)|^fabric-protos(?!/bundle\\.js$)`,
        message: 'boundary/fabric-sdk: the console may import only fabric-protos/bundle.js (message definitions for its own proof checks).',
      },
    ),
  },
  {
    files: ['lib/domain/src/**/*.ts'],
    rules: restrict(libRule('domain', []), {
      regex: '^(node:|fabric-|@hyperledger/|pg$|express$|kafkajs$|jose$|pino$|fast-xml-parser$)',
      message: 'boundary/domain-browser-safe: lib/domain is imported by the browser console; no Node built-ins or server libraries.',
    }),
  },
  { files: ['lib/platform/src/**/*.ts'], rules: restrict(libRule('platform', ['domain']), libDeepRule('platform'), sdkRule('lib/platform')) },
  { files: ['lib/epcis/src/**/*.ts'], rules: restrict(libRule('epcis', ['domain', 'platform']), libDeepRule('epcis'), sdkRule('lib/epcis')) },
  { files: ['lib/fabric/src/**/*.ts'], rules: restrict(libRule('fabric', ['domain', 'platform']), libDeepRule('fabric')) },
];

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
  ...boundaries,
);
