import { expect } from 'chai';
import * as path from 'node:path';
import { compareContracts, compareSchemas, describeBreak, type JsonSchema, type PublishedContract } from '../../../../indexer/src/events/compatibility';
import { currentContract, readContractDir } from '../../../../indexer/src/events/contract-files';
import { repoRoot } from '../../../fixtures/doc-blocks';

const clone = <T>(v: T): T => structuredClone(v);
const SHIPMENTS = 'supplychain.shipments';
const CREATED = 'supplychain.shipment.created.v1';

/** The current contract with one change made to the shipment-created schema. */
function changed(edit: (value: JsonSchema & { properties: any; required: string[] }) => void): PublishedContract {
  const c = clone(currentContract());
  edit(c[SHIPMENTS].messages[CREATED] as JsonSchema & { properties: any; required: string[] });
  return c;
}

const breaks = (next: PublishedContract) => compareContracts(currentContract(), next).map(describeBreak);
const data = (v: { properties: any }) => v.properties.data as { properties: any; required: string[] };

describe('event contract: compatibility gate', () => {
  it('the current schemas keep the released contract (contracts/events/released)', () => {
    const released = readContractDir(path.join(repoRoot(), 'contracts', 'events', 'released'));
    expect(Object.keys(released)).to.have.length.greaterThan(5);
    const found = compareContracts(released, currentContract()).map(describeBreak);
    expect(found, `breaking changes against the released contract:\n${found.join('\n')}`).to.deep.equal([]);
  });

  it('refuses a removed (or renamed) required field, naming topic, type and field', () => {
    const gone = changed((v) => {
      delete data(v).properties.fromGln;
      data(v).required = data(v).required.filter((f) => f !== 'fromGln');
    });
    expect(breaks(gone)).to.deep.equal([`topic ${SHIPMENTS}, type ${CREATED}: field data.fromGln: required field removed (or renamed)`]);
    const renamed = changed((v) => {
      data(v).properties.originGln = data(v).properties.fromGln;
      delete data(v).properties.fromGln;
      data(v).required = data(v).required.map((f) => (f === 'fromGln' ? 'originGln' : f));
    });
    expect(breaks(renamed)).to.have.members([
      `topic ${SHIPMENTS}, type ${CREATED}: field data.fromGln: required field removed (or renamed)`,
      `topic ${SHIPMENTS}, type ${CREATED}: field data.originGln: new required field without a default`,
    ]);
  });

  it('refuses a changed type, a changed pattern and a required field made optional', () => {
    const typed = changed((v) => (data(v).properties.hasDiscrepancy = { type: 'string' }));
    expect(breaks(typed)).to.deep.equal([`topic ${SHIPMENTS}, type ${CREATED}: field data.hasDiscrepancy: type changed from boolean to string`]);
    const nested = changed((v) => (data(v).properties.lines.items.properties.lineNo = { type: ['integer', 'null'] }));
    expect(breaks(nested)).to.deep.equal([`topic ${SHIPMENTS}, type ${CREATED}: field data.lines[].lineNo: type changed from integer to integer|null`]);
    const pattern = changed((v) => (data(v).properties.toGln = { type: 'string', pattern: '^[0-9]{14}$' }));
    expect(breaks(pattern)[0]).to.match(/field data\.toGln: pattern changed/);
    const optional = changed((v) => (data(v).required = data(v).required.filter((f) => f !== 'owner')));
    expect(breaks(optional)).to.deep.equal([`topic ${SHIPMENTS}, type ${CREATED}: field data.owner: required field made optional`]);
  });

  it('refuses an enum that loses or gains a value', () => {
    const status = (values: string[]) => changed((v) => (data(v).properties.status = { type: 'string', enum: values }));
    expect(breaks(status(['created', 'partially_dispatched', 'dispatched', 'received']))).to.deep.equal([
      `topic ${SHIPMENTS}, type ${CREATED}: field data.status: enum narrowed: "partially_received" no longer allowed (retained messages carry it)`,
    ]);
    expect(breaks(status(['created', 'partially_dispatched', 'dispatched', 'partially_received', 'received', 'lost']))[0]).to.match(
      /field data\.status: enum widened: "lost" is new/,
    );
  });

  it('refuses a newly required field without a default, accepts one with a default', () => {
    const add = (schema: JsonSchema) =>
      changed((v) => {
        data(v).properties.incoterm = schema;
        data(v).required.push('incoterm');
      });
    expect(breaks(add({ type: 'string' }))).to.deep.equal([`topic ${SHIPMENTS}, type ${CREATED}: field data.incoterm: new required field without a default`]);
    expect(breaks(add({ type: 'string', default: 'EXW' }))).to.deep.equal([]);
  });

  it('accepts an added optional field, a removed optional field and new descriptions', () => {
    const fine = changed((v) => {
      data(v).properties.incoterm = { type: 'string' };
      delete data(v).properties.carrier;
      data(v).properties.owner = { ...data(v).properties.owner, description: 'Organisation owning the goods' };
    });
    expect(breaks(fine)).to.deep.equal([]);
  });

  it('refuses a removed message type, a removed topic and a changed key', () => {
    const c = clone(currentContract());
    delete c[SHIPMENTS].messages[CREATED];
    delete c['supplychain.recalls'];
    c['supplychain.lots'].key = { type: 'string' };
    expect(breaks(c)).to.have.members([
      `topic ${SHIPMENTS}, type ${CREATED}: field (message): message type removed`,
      'topic supplychain.recalls, type *: field (topic): topic removed',
      'topic supplychain.lots, key: field (value): pattern changed from "^[0-9]{14}/.+$" to none',
    ]);
  });

  it('compares schemas of any shape: an empty schema accepts anything, so typing it breaks', () => {
    const where = { topic: 't', type: 'x' };
    expect(compareSchemas({}, {}, where)).to.deep.equal([]);
    expect(compareSchemas({}, { type: 'string' }, where).map(describeBreak)).to.deep.equal(['topic t, type x: field (value): type changed from any to string']);
  });
});
