import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { docFiles, repoRoot } from '../../fixtures/doc-blocks';

/** Every relative link of the README and docs/ leads to a file that exists (anchors are not checked). */
describe('links in the README and docs/', () => {
  const root = repoRoot();
  for (const file of docFiles()) {
    it(file, () => {
      const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      const broken = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1].split('#')[0])
        .filter((target) => target && !/^[a-z]+:/i.test(target))
        .filter((target) => !fs.existsSync(path.resolve(path.dirname(path.join(root, file)), target)));
      expect(broken, `${file} links to missing files`).to.deep.equal([]);
    });
  }
});
