/**
 * Writes the published event contract (contracts/events/asyncapi.yaml and
 * schemas/) from indexer/src/events/. With `--release`, also copies the
 * schemas to released/, the snapshot the compatibility gate holds later
 * changes to, and refuses if they break consumers of the previous release.
 *
 *   npm run -s build && node dist/indexer/src/events/write-contract.js [--release]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareContracts, describeBreak } from './compatibility';
import { asyncApiYaml, currentContract, readContractDir, schemaFiles } from './contract-files';

/** contracts/events/ of the checkout this file was built in (dist/indexer/src/events → the root). */
export const CONTRACT_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'contracts', 'events');

function writeTree(dir: string, files: Map<string, string>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

function main(argv: string[]): number {
  const release = argv.includes('--release');
  const files = schemaFiles();
  if (release) {
    const releasedDir = path.join(CONTRACT_DIR, 'released');
    const breaks = fs.existsSync(releasedDir) ? compareContracts(readContractDir(releasedDir), currentContract()) : [];
    if (breaks.length > 0) {
      for (const b of breaks) console.error(describeBreak(b));
      console.error(`${breaks.length} breaking change(s): not released (see docs/events.md, "Evolution")`);
      return 1;
    }
    writeTree(releasedDir, files);
  }
  writeTree(path.join(CONTRACT_DIR, 'schemas'), files);
  fs.writeFileSync(path.join(CONTRACT_DIR, 'asyncapi.yaml'), asyncApiYaml());
  console.log(`wrote ${files.size} schemas and asyncapi.yaml to ${CONTRACT_DIR}${release ? ' (and released/)' : ''}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
