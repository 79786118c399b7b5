/**
 * The commands of docs/events.md that write the published event contract,
 * run as written in a copy of the repository (they rewrite committed files):
 * writing the contract leaves every file as committed, so the committed
 * contract is what the code describes; releasing it is accepted (the change
 * since the last release is compatible) and changes nothing but `released/`,
 * which then holds the current schemas.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../fixtures/doc-blocks';
import { DocPage } from '../../fixtures/doc-shell';

/** What a fresh checkout does not hold (.gitignore), and dist/, which the commands build. */
const NOT_COPIED = new Set([
  '.git',
  'node_modules',
  'dist',
  '.venv',
  'run',
  'bench-results',
  'test-output',
  '.schemathesis',
  'network/.bin',
  'network/run',
  'network/.kafka',
  'gateway/.dev-issuer',
]);

/** The repository's files in a temporary folder, with the installed node_modules linked in. */
function copyOfRepository(root: string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'repo-copy-'));
  fs.cpSync(root, copy, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(root, src).split(path.sep).join('/');
      return !NOT_COPIED.has(rel) && path.basename(src) !== 'node_modules' && !rel.endsWith('.log');
    },
  });
  fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(copy, 'node_modules'));
  return copy;
}

/** Every file under `dir` but node_modules/ and dist/, by path relative to `dir`, with its SHA-256. */
function filesOf(dir: string, under = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(path.join(dir, under), { withFileTypes: true })) {
    const rel = under ? `${under}/${e.name}` : e.name;
    if (rel === 'node_modules' || rel === 'dist') continue;
    if (e.isDirectory()) for (const [k, v] of filesOf(dir, rel)) out.set(k, v);
    else if (e.isFile())
      out.set(
        rel,
        createHash('sha256')
          .update(fs.readFileSync(path.join(dir, rel)))
          .digest('hex'),
      );
  }
  return out;
}

/** Paths added, removed or changed from `a` to `b`. */
function changes(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

describe('docs/events.md: writing and releasing the event contract (in a copy of the repository)', function () {
  this.timeout(600_000);
  const page = new DocPage('docs/events.md', __filename);
  let copy: string;
  let committed: Map<string, string>;

  before(() => {
    copy = copyOfRepository(repoRoot());
    committed = filesOf(copy);
  });
  after(async () => {
    await page.close();
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  it('writing the contract changes no file: the committed contract is what the code describes', async () => {
    const out = await page.next(process.env, copy);
    expect(out).to.match(/wrote \d+ schemas and asyncapi\.yaml/);
    expect(changes(committed, filesOf(copy))).to.deep.equal([]);
  });

  it('releasing it is accepted and changes only released/, which then holds the current schemas', async () => {
    const out = await page.next(process.env, copy);
    expect(out).to.match(/\(and released\/\)/);
    const after = filesOf(copy);
    expect(changes(committed, after).filter((p) => !p.startsWith('contracts/events/released/'))).to.deep.equal([]);
    const under = (prefix: string) => new Map([...after].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    expect(changes(under('contracts/events/schemas/'), under('contracts/events/released/'))).to.deep.equal([]);
  });
});
