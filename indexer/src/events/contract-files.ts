/**
 * The published form of the event contract, under `contracts/events/`:
 * `asyncapi.yaml`, and per topic a folder `schemas/<aggregate>/` holding
 * `key.schema.json` and `<ce_type>.schema.json` per message type.
 * `released/` holds the same files as last released: what consumers were
 * built against, which the compatibility gate compares with.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { asyncApiDocument } from './asyncapi-document';
import type { JsonSchema, PublishedContract } from './compatibility';
import { EVENT_CONTRACT, messageSchema, type TopicContract } from './event-messages';

/** Topic prefix the published files name topics with (the indexer's default). */
export const DEFAULT_PREFIX = 'supplychain';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The key schema as published: draft-07, titled by topic. */
function keySchema(t: TopicContract): JsonSchema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: `key of ${DEFAULT_PREFIX}.${t.aggregate}`, ...t.key };
}

/** Every schema file, path relative to a contract folder (`<aggregate>/<name>.schema.json`) → text. */
export function schemaFiles(contract: readonly TopicContract[] = EVENT_CONTRACT): Map<string, string> {
  const files = new Map<string, string>();
  for (const t of contract) {
    files.set(`${t.aggregate}/key.schema.json`, json(keySchema(t)));
    for (const type of Object.keys(t.messages)) files.set(`${t.aggregate}/${type}.schema.json`, json(messageSchema(t, type)));
  }
  return files;
}

/** The AsyncAPI document's text. */
export function asyncApiYaml(contract: readonly TopicContract[] = EVENT_CONTRACT): string {
  const header = '# Generated from indexer/src/events/ by `node dist/indexer/src/events/write-contract.js`; do not edit.\n';
  return header + YAML.stringify(asyncApiDocument(contract), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The current contract as {@link compareContracts} reads it. */
export function currentContract(contract: readonly TopicContract[] = EVENT_CONTRACT): PublishedContract {
  return readFiles(schemaFiles(contract));
}

/** A published folder (`contracts/events/schemas` or `released`) as {@link compareContracts} reads it. */
export function readContractDir(dir: string): PublishedContract {
  const files = new Map<string, string>();
  for (const aggregate of fs.readdirSync(dir).sort()) {
    const sub = path.join(dir, aggregate);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const f of fs.readdirSync(sub).sort()) if (f.endsWith('.schema.json')) files.set(`${aggregate}/${f}`, fs.readFileSync(path.join(sub, f), 'utf8'));
  }
  return readFiles(files);
}

function readFiles(files: Map<string, string>): PublishedContract {
  const out: PublishedContract = {};
  for (const [rel, text] of files) {
    const [aggregate, file] = rel.split('/');
    const topic = (out[`${DEFAULT_PREFIX}.${aggregate}`] ??= { key: {}, messages: {} });
    const schema = JSON.parse(text) as JsonSchema;
    if (file === 'key.schema.json') topic.key = schema;
    else topic.messages[file.replace(/\.schema\.json$/, '')] = schema;
  }
  return out;
}
