import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../fixtures/doc-blocks';

/** The files that read settings from the environment: one loader per service, plus the devnet's. */
const LOADERS = [
  'lib/fabric/src/connection',
  'lib/platform/src/auth/auth-config.ts',
  'gateway/src/config.ts',
  'gateway/src/payments/payments-config.ts',
  'indexer/src/config.ts',
  'network/src/config.ts',
  'network/src/services/postgres-account.ts',
  'network/src/services/identity-provider/config.ts',
  'chaincode/src/config.ts',
];

/** Variable names a loader reads: `env.X`, `env['X']`, a reader called with `(env, 'X'…)`, a name argument or option. */
function namesRead(source: string): string[] {
  const names = new Set<string>();
  const patterns = [
    /\benv\.([A-Z][A-Z0-9_]{2,})\b/g,
    /\benv\[['"]([A-Z][A-Z0-9_]{2,})['"]\]/g,
    /\(env, ['"]([A-Z][A-Z0-9_]{2,})['"]/g,
    /\bfile\(['"]([A-Z][A-Z0-9_]{2,})['"]\)/g,
    // Names handed to a shared reader as options, e.g. loadListenerConfig(env, { cert: 'GATEWAY_TLS_CERT', … }).
    /\b(?:cert|key|trustProxy): ['"]([A-Z][A-Z0-9_]{2,})['"]/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) names.add(m[1]);
  return [...names];
}

describe('docs/configuration.md against the configuration loaders', () => {
  const root = repoRoot();
  const sources = LOADERS.flatMap((p) => {
    const abs = path.join(root, p);
    if (fs.statSync(abs).isDirectory())
      return fs
        .readdirSync(abs)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => fs.readFileSync(path.join(abs, f), 'utf8'));
    return [fs.readFileSync(abs, 'utf8')];
  });
  const read = new Set(sources.flatMap(namesRead));
  const page = fs.readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');
  // The first column of every table row: one or more `NAME`s.
  const documented = new Set(
    page
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((m) => m[1])),
  );

  it('finds the settings the loaders read', () => {
    expect(read.size).to.be.greaterThan(40);
    expect(read).to.include('FABRIC_CONNECTION_PROFILE').and.to.include('DATABASE_URL').and.to.include('INDEXER_SCHEMA');
  });

  it('documents every setting a loader reads', () => {
    expect([...read].filter((n) => !documented.has(n)).sort()).to.deep.equal([]);
  });

  it('documents no setting that no loader reads', () => {
    expect([...documented].filter((n) => !read.has(n)).sort()).to.deep.equal([]);
  });
});
