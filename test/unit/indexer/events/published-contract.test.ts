import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { asyncApiDocument } from '../../../../indexer/src/events/asyncapi-document';
import { asyncApiYaml, schemaFiles } from '../../../../indexer/src/events/contract-files';
import { EVENT_CONTRACT } from '../../../../indexer/src/events/event-messages';
import { createMessageChecker } from '../../../../indexer/src/events/message-checker';
import { topicNames } from '../../../../indexer/src/projection/outbox-messages';
import { repoRoot } from '../../../fixtures/doc-blocks';

const dir = path.join(repoRoot(), 'contracts', 'events');
const REGENERATE = 'run: npm run -s build && node dist/indexer/src/events/write-contract.js';

/** The AsyncAPI 3.0.0 JSON Schema (test/fixtures/asyncapi/README.md says where it comes from). */
function asyncApiValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'asyncapi', 'asyncapi-3.0.0.schema.json'), 'utf8'));
  // strict off: the official schema uses keywords ajv's strict mode rejects (e.g. unknown formats in examples).
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Every local `$ref` in `doc` that does not resolve. */
function danglingRefs(doc: unknown): string[] {
  const out: string[] = [];
  const resolve = (ref: string) =>
    ref
      .slice(2)
      .split('/')
      .reduce<any>((node, part) => (node === undefined ? undefined : node[part.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const ref = (v as { $ref?: unknown }).$ref;
      if (typeof ref === 'string' && (!ref.startsWith('#/') || resolve(ref) === undefined)) out.push(ref);
      Object.values(v).forEach(walk);
    }
  };
  walk(doc);
  return out;
}

describe('event contract: published schemas and AsyncAPI document', () => {
  it('contracts/events/schemas and asyncapi.yaml are what indexer/src/events describes', () => {
    for (const [rel, text] of schemaFiles()) {
      const file = path.join(dir, 'schemas', rel);
      expect(fs.existsSync(file), `${file} is missing; ${REGENERATE}`).to.equal(true);
      expect(fs.readFileSync(file, 'utf8'), `${file} is stale; ${REGENERATE}`).to.equal(text);
    }
    const published = fs.readdirSync(path.join(dir, 'schemas'), { recursive: true }).filter((f) => String(f).endsWith('.json'));
    expect(published.map(String).sort(), `schemas/ holds files the contract no longer has; ${REGENERATE}`).to.deep.equal([...schemaFiles().keys()].sort());
    expect(fs.readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8'), `asyncapi.yaml is stale; ${REGENERATE}`).to.equal(asyncApiYaml());
  });

  it('asyncapi.yaml is a valid AsyncAPI 3.0.0 document whose references all resolve', () => {
    const validate = asyncApiValidator();
    const doc = YAML.parse(fs.readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8'));
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).to.equal(true);
    expect(danglingRefs(doc)).to.deep.equal([]);
    for (const [name, channel] of Object.entries<any>(doc.channels)) {
      const used = [...String(channel.address).matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(Object.keys(channel.parameters ?? {}), `parameters of channel ${name}`).to.deep.equal(used);
    }
    // The validator bites: a misspelt field and a message without its payload are refused.
    const bad = structuredClone(doc);
    bad.channels.lots.adress = bad.channels.lots.address;
    expect(validate(bad)).to.equal(false);
    const noRef = structuredClone(doc);
    delete noRef.components.schemas['supplychain.lot.commissioned.v1'];
    expect(danglingRefs(noRef)).to.deep.equal(['#/components/schemas/supplychain.lot.commissioned.v1']);
  });

  it('names every topic the indexer creates, each with a key, its CloudEvents headers and its message schemas', () => {
    const doc = asyncApiDocument() as any;
    const addresses = Object.values(doc.channels).map((c: any) => c.address.replace('{prefix}', 'supplychain'));
    expect(addresses.sort()).to.deep.equal(topicNames('supplychain').sort());
    for (const [name, m] of Object.entries<any>(doc.components.messages)) {
      expect(m.bindings.kafka.key, name).to.be.an('object');
      expect(Object.keys(m.headers.properties), name).to.include.members([
        'ce_specversion',
        'ce_id',
        'ce_type',
        'ce_source',
        'ce_subject',
        'ce_time',
        'content-type',
      ]);
      expect(m.headers.properties.ce_type.const, name).to.equal(name);
      expect(doc.components.schemas[name].properties.type.const, name).to.equal(name);
    }
    const types = EVENT_CONTRACT.flatMap((t) => Object.keys(t.messages));
    expect(Object.keys(doc.components.messages).sort()).to.deep.equal([...types].sort());
    expect(new Set(types).size).to.equal(types.length);
  });

  it('every published schema is a valid draft-07 schema that ajv compiles in strict mode', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    addFormats(ajv);
    for (const [rel, text] of schemaFiles()) {
      const schema = JSON.parse(text);
      expect(ajv.validateSchema(schema), `${rel}: ${ajv.errorsText()}`).to.equal(true);
      expect(() => ajv.compile(schema), rel).not.to.throw();
    }
    expect(() => createMessageChecker({ prefix: 'supplychain' })).not.to.throw();
  });
});
