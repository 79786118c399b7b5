import { expect } from 'chai';
import fc from 'fast-check';
import { CanonicalText, canonicalJson } from '../../../chaincode/src/traceability/canonical-json';
import { parseTraceError, TraceError } from '../../../chaincode/src/traceability/errors';
import { formatQuantity, parseQuantity, parseSignedQuantity } from '../../../chaincode/src/traceability/quantity';
import { GLN, GTIN, Harness, SUPPLIER, commission, eid, expectTraceError, gs1, seedMasterData } from './harness';

describe('traceability contract: input validation', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
  });

  const transfer = (lines: unknown) => h.submit(SUPPLIER, 'TransferStock', { eventId: eid(), fromGln: GLN.roastery, toGln: GLN.roastery2, lines });

  it('names the bad field for quantities: too many decimals, numbers, signs, zero, exponents', async () => {
    const cases: [unknown, string][] = [
      ['1.0001', 'lines[0].quantity'],
      [1.5, 'lines[0].quantity'],
      ['-1', 'lines[0].quantity'],
      ['0', 'lines[0].quantity'],
      ['1e3', 'lines[0].quantity'],
      ['', 'lines[0].quantity'],
    ];
    for (const [quantity, field] of cases) {
      const body = await expectTraceError(() => transfer([{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity }]), 'INVALID_ARGUMENT', field);
      expect(body.message).to.contain(field);
    }
  });

  it('names the bad field for identifiers: GLN / GTIN check digits, lot code characters, eventId', async () => {
    await expectTraceError(
      () => h.submit(SUPPLIER, 'TransferStock', { eventId: eid(), fromGln: '7612345000010', toGln: GLN.roastery2, lines: [] }),
      'INVALID_ARGUMENT',
      'fromGln',
    );
    await expectTraceError(() => transfer([{ gtin: '07612345100019', lotCode: 'RB-1', quantity: '1' }]), 'INVALID_ARGUMENT', 'lines[0].gtin');
    await expectTraceError(() => transfer([{ gtin: GTIN.roasted, lotCode: 'RB 1', quantity: '1' }]), 'INVALID_ARGUMENT', 'lines[0].lotCode');
    await expectTraceError(() => transfer([{ gtin: GTIN.roasted, lotCode: 'RB~1', quantity: '1' }]), 'INVALID_ARGUMENT', 'lines[0].lotCode');
    await expectTraceError(() => h.submit(SUPPLIER, 'TransferStock', { fromGln: GLN.roastery }), 'INVALID_ARGUMENT', 'eventId');
    await expectTraceError(() => h.submit(SUPPLIER, 'TransferStock', { eventId: 'has space' }), 'INVALID_ARGUMENT', 'eventId');
    await expectTraceError(() => transfer([]), 'INVALID_ARGUMENT', 'lines');
    await expectTraceError(() => transfer(['x']), 'INVALID_ARGUMENT', 'lines[0]');
  });

  it('rejects a request that is not a JSON object', async () => {
    await expectTraceError(() => h.submit(SUPPLIER, 'TransferStock', 'not json'), 'INVALID_ARGUMENT', 'request');
    await expectTraceError(() => h.submit(SUPPLIER, 'TransferStock', '[1,2]'), 'INVALID_ARGUMENT', 'request');
  });

  it('names nested fields and enumerations', async () => {
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RegisterLocation', { eventId: eid(), gln: gs1('761234500077'), type: 'warehouse', name: 'x', address: { country: 'DE' } }),
      'INVALID_ARGUMENT',
      'type',
    );
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RegisterLocation', { eventId: eid(), gln: gs1('761234500077'), type: 'dc', name: 'x', address: { country: 'Germany' } }),
      'INVALID_ARGUMENT',
      'address.country',
    );
    await expectTraceError(
      () => commission(h, SUPPLIER, GLN.farm, GTIN.green, 'G-1', '1', { origin: { icoMark: 'abc' } }),
      'INVALID_ARGUMENT',
      'origin.icoMark',
    );
    await expectTraceError(() => commission(h, SUPPLIER, GLN.farm, GTIN.green, 'G-1', '1', { expiryDate: '2025-13-45' }), 'INVALID_ARGUMENT', 'expiryDate');
  });

  it('reports unknown references as NOT_FOUND and repeats as DUPLICATE, with the field', async () => {
    await expectTraceError(() => transfer([{ gtin: GTIN.roasted, lotCode: 'NOPE', quantity: '1' }]), 'NOT_FOUND', 'lines[0].lotCode');
    await expectTraceError(() => commission(h, SUPPLIER, gs1('761234500088'), GTIN.green, 'G-1', '1'), 'NOT_FOUND', 'gln');
    await expectTraceError(() => commission(h, SUPPLIER, GLN.farm, gs1('761234519999'), 'G-1', '1'), 'NOT_FOUND', 'gtin');
    await expectTraceError(() => commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '1'), 'DUPLICATE', 'lotCode');
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RegisterProduct', { eventId: eid(), gtin: GTIN.roasted, description: 'again', unit: 'KGM' }),
      'DUPLICATE',
      'gtin',
    );
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RegisterLocation', { eventId: eid(), gln: GLN.roastery, type: 'roastery', name: 'again', address: { country: 'DE' } }),
      'DUPLICATE',
      'gln',
    );
  });

  it('accepts GTIN-13 and stores it as GTIN-14, so one product has one key', async () => {
    const gtin13 = gs1('761234510009');
    const out = await h.submit(SUPPLIER, 'RegisterProduct', { eventId: eid(), gtin: gtin13, description: 'Oat milk', unit: 'LTR' });
    expect(out.result.product.gtin).to.equal(`0${gtin13}`);
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RegisterProduct', { eventId: eid(), gtin: `0${gtin13}`, description: 'x', unit: 'LTR' }),
      'DUPLICATE',
      'gtin',
    );
  });

  it('answers unknown transaction names with a structured error', async () => {
    const ctx: any = { stub: { getFunctionAndParameters: () => ({ fcn: 'Nope', params: [] }) } };
    await expectTraceError(() => h.contract.unknownTransaction(ctx), 'INVALID_ARGUMENT', 'function');
  });
});

describe('quantities, canonical JSON and the error format', () => {
  it('converts decimal strings to base units at scale 3 and back without floats', () => {
    expect(parseQuantity('12', 'q')).to.equal(12000n);
    expect(parseQuantity('0.001', 'q')).to.equal(1n);
    expect(parseQuantity('007.5', 'q')).to.equal(7500n);
    expect(parseSignedQuantity('-2.25', 'q')).to.equal(-2250n);
    expect(formatQuantity(1n)).to.equal('0.001');
    expect(formatQuantity(-2250n)).to.equal('-2.250');
    expect(formatQuantity(123456789012345678n)).to.equal('123456789012345.678');
    expect(() => parseQuantity('0.1234', 'q')).to.throw(TraceError);
    expect(() => parseQuantity('1234567890123456', 'q')).to.throw(TraceError);
  });

  it('writes sorted keys, no whitespace, and rejects non-finite numbers', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, u: undefined })).to.equal('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(() => canonicalJson({ n: Number.NaN })).to.throw();
    expect(() => canonicalJson({ n: 1n })).to.throw();
  });

  it('equals JSON.stringify of the value with all object keys sorted, and embeds pre-written parts unchanged', () => {
    // The oracle: JSON.stringify drops undefined members and writes undefined array elements as null, as canonical JSON does.
    const sortedDeep = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortedDeep)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortedDeep((v as Record<string, unknown>)[k])]),
            )
          : v;
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('list'), tie('object')),
      leaf: fc.oneof(fc.string({ unit: 'binary' }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null)),
      list: fc.array(fc.oneof(tie('any'), fc.constant(undefined)), { maxLength: 5 }),
      object: fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.oneof(tie('any'), fc.constant(undefined)), { maxKeys: 6 }),
    })).any;
    fc.assert(
      fc.property(value, value, (a, b) => {
        const expected = JSON.stringify(sortedDeep({ a, b }));
        expect(canonicalJson({ a, b })).to.equal(expected);
        expect(canonicalJson({ a: new CanonicalText(a), b })).to.equal(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('puts a parseable JSON body first in the error message, and finds it behind a prefix', () => {
    const e = new TraceError('INSUFFICIENT_STOCK', 'only 2 on hand', { field: 'lines[0].quantity' });
    expect(e.message).to.equal('{"code":"INSUFFICIENT_STOCK","field":"lines[0].quantity","message":"only 2 on hand"}');
    expect(e.code).to.equal('INSUFFICIENT_STOCK');
    expect(parseTraceError(`transaction returned with failure: ${e.message}`)).to.deep.equal({
      code: 'INSUFFICIENT_STOCK',
      field: 'lines[0].quantity',
      message: 'only 2 on hand',
    });
    expect(parseTraceError('plain failure')).to.equal(undefined);
  });
});
