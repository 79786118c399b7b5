import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { docBlocks, docFiles, repoRoot } from '../../fixtures/doc-blocks';

/**
 * Every shell block of the README and docs/ names things that exist: npm
 * scripts, compiled entry points with the subcommands they accept, and HTTP
 * paths the services serve. (The README's first request is also run as
 * written by the end-to-end test.)
 */
describe('commands in the README and docs/', () => {
  const root = repoRoot();
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const sources = ['gateway/src', 'indexer/src', 'auditor/src', 'network/src', 'console', 'lib']
    .map((d) => path.join(root, d))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(d, f), 'utf8')))
    .join('\n');

  const shellBlocks = docFiles()
    .flatMap((f) => docBlocks(f))
    .filter((b) => ['sh', 'bash', 'shell'].includes(b.lang));

  /** Source of a compiled entry point `dist/<x>.js`, or undefined when no `<x>.ts` exists. */
  const sourceOf = (distPath: string): string | undefined => {
    const ts = path.join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    return fs.existsSync(ts) ? fs.readFileSync(ts, 'utf8') : undefined;
  };

  /** A subcommand is accepted when the entry point's source names it as a string. */
  const accepts = (src: string, sub: string): boolean => new RegExp(`['"\`]${sub.replace(/[-]/g, '\\-')}['"\`]`).test(src);

  it('finds shell blocks to check', () => {
    expect(shellBlocks.length).to.be.greaterThan(3);
  });

  for (const block of shellBlocks) {
    it(`${block.file}:${block.line} (${block.heading})`, () => {
      const logical = block.text.replace(/\\\n/g, ' ').split('\n');
      for (const raw of logical) {
        const line = raw.replace(/(^|\s)#.*$/, '').trim();
        if (!line) continue;
        for (const m of line.matchAll(/\bnpm (?:run(?: -s)? ([\w:.-]+)|(start|test|ci))(?: -- (\S+))?/g)) {
          const name = m[1] ?? m[2];
          if (m[1]) expect(scripts, `${block.file}:${block.line}: npm script "${name}"`).to.have.property(name);
          const sub = m[3];
          const entry = m[1] ? /node (dist\/\S+\.js)/.exec(scripts[name])?.[1] : undefined;
          if (sub && entry && /^[a-z][\w-]*$/.test(sub)) {
            const src = sourceOf(entry);
            expect(src, `${block.file}:${block.line}: ${entry} has a source`).to.be.a('string');
            expect(accepts(src!, sub), `${block.file}:${block.line}: ${entry} accepts "${sub}"`).to.equal(true);
          }
        }
        for (const m of line.matchAll(/\bnode (dist\/[\w/.-]+\.js)(?: ([a-z][\w-]*))?/g)) {
          const src = sourceOf(m[1]);
          expect(src, `${block.file}:${block.line}: ${m[1]} has a source`).to.be.a('string');
          if (m[2]) expect(accepts(src!, m[2]), `${block.file}:${block.line}: ${m[1]} accepts "${m[2]}"`).to.equal(true);
        }
        for (const m of line.matchAll(/\bcurl\b[^|]*?(?:localhost|127\.0\.0\.1):[^/\s]+(\/[\w\-/.]*)/g)) {
          const first = `/${m[1].split('/')[1]}`;
          expect(
            sources.includes(`'${first}`) || sources.includes(`"${first}`) || sources.includes(`\`${first}`),
            `${block.file}:${block.line}: a route under ${first}`,
          ).to.equal(true);
        }
      }
    });
  }
});
