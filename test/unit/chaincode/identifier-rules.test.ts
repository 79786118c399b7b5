import './quiet-logs';
import { expect } from 'chai';
import { Context } from 'fabric-contract-api';
import { memberPrefixes, setMemberPrefixes } from '../../../chaincode/src/consortium/registry';
import { companyDigitsOfEpc, companyPrefixDigits, glnFromLocation, lotFromClass, ssccFromEpc, withinPrefixes } from '../../../chaincode/src/traceability/gs1';
import { FakeIdentity, FakeStub } from './fake-stub';
import { createGovernance } from './governance-harness';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, gs1, seedMasterData } from './harness';

/** Runs `fn` against committed state in one transaction as `msp`, committing when it succeeds. */
async function inTx<T>(h: Harness, msp: string, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const stub = new FakeStub(h.world, 'Registry', []);
  const ctx = new Context();
  ctx.stub = stub as never;
  ctx.clientIdentity = new FakeIdentity(msp) as never;
  const out = await fn(ctx);
  h.world.commit(stub);
  return out;
}

describe('GS1 company prefixes: who owns a key', () => {
  it('reads the company prefix after a GTIN-14 indicator and an SSCC extension digit, from the start of a GLN', () => {
    expect(companyPrefixDigits('GLN', '4000001000005')).to.equal('4000001000005');
    expect(companyPrefixDigits('GTIN', '14000001000019')).to.equal('4000001000019');
    expect(companyPrefixDigits('SSCC', '340000010000000017')).to.equal('40000010000000017');
    // A GTIN-12 (U.P.C.) padded to 14 digits keeps the leading zero of its GS1 company prefix.
    expect(withinPrefixes('GTIN', '00614141123452', ['0614141'])).to.equal(true);
    expect(withinPrefixes('GTIN', '04000001000012', ['40000011'])).to.equal(false);
  });

  it('parses the EPCIS forms of locations, SSCCs, lots and trade items', () => {
    expect(glnFromLocation('urn:epc:id:sgln:4000001.00001.0')).to.equal(gs1('400000100001'));
    expect(glnFromLocation('https://id.gs1.org/414/4000001000012')).to.equal('4000001000012');
    expect(glnFromLocation('geo:42.69,23.31')).to.equal(undefined);
    const sscc = gs1('34000001000000001');
    expect(ssccFromEpc(`urn:epc:id:sscc:4000001.3000000001`)).to.equal(sscc);
    expect(ssccFromEpc(`https://id.gs1.org/00/${sscc}`)).to.equal(sscc);
    expect(ssccFromEpc('urn:epc:id:sgtin:4000001.012345.1')).to.equal(undefined);
    expect(lotFromClass(`https://id.gs1.org/01/${GTIN.milk}/10/L%2F1`)).to.deep.equal({ gtin: GTIN.milk, lotCode: 'L/1' });
    expect(lotFromClass(`urn:epc:class:lgtin:4000001.111000.L1`)).to.deep.equal({ gtin: gs1('1400000111000'), lotCode: 'L1' });
    expect(companyDigitsOfEpc('urn:epc:id:sgtin:4000001.011000.77')).to.equal('400000111000');
    expect(companyDigitsOfEpc('urn:epc:id:grai:4012345.00077.1')).to.equal('401234500077');
    expect(companyDigitsOfEpc('https://id.example.com/8003/040123450007718765')).to.equal('40123450007718765');
    expect(companyDigitsOfEpc(`https://id.gs1.org/01/${GTIN.milk}/21/9`)).to.equal(GTIN.milk.slice(1));
    expect(companyDigitsOfEpc('https://id.gs1.org/8004/4000001ABC')).to.equal('4000001');
    expect(companyDigitsOfEpc('urn:example:thing:1')).to.equal(undefined);
  });
});

describe('traceability contract: identifiers within the member GS1 company prefixes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
  });

  it('refuses a location or product outside the caller prefixes with FORBIDDEN naming the prefix rule', async () => {
    const loc = await expectTraceError(
      () => h.submit(SUPPLIER, 'RegisterLocation', { eventId: eid(), gln: gs1('400000100099'), type: 'dc', name: 'x', address: { country: 'DE' } }),
      'FORBIDDEN',
      'gln',
    );
    expect(loc.message).to.contain('GS1 company prefixes (7612345)');
    const product = await expectTraceError(
      () => h.submit(RETAILER, 'RegisterProduct', { eventId: eid(), gtin: gs1('761234510099'), description: 'x', unit: 'KGM' }),
      'FORBIDDEN',
      'gtin',
    );
    expect(product.message).to.contain('outside RetailerMSP');
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'RegisterLocations', {
          eventId: eid(),
          locations: [{ gln: gs1('400000100098'), type: 'dc', name: 'x', address: { country: 'DE' } }],
        }),
      'FORBIDDEN',
      'locations[0].gln',
    );
  });

  it('refuses a lot of another member GTIN, which then stays free for its owner (squatted lot)', async () => {
    const squat = await expectTraceError(() => commission(h, SUPPLIER, GLN.roastery, GTIN.milk, 'L9', '1'), 'FORBIDDEN', 'gtin');
    expect(squat.message).to.contain('its owner RetailerMSP has granted SupplierMSP no licence');
    await commission(h, RETAILER, GLN.dc, GTIN.milk, 'L9', '5');
    expect(h.onHand(GLN.dc, GTIN.milk, 'L9')).to.equal(5000n);
    // Transformation outputs are lots too.
    await commission(h, SUPPLIER, GLN.roastery, GTIN.green, 'G-1', '10');
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'TransformLots', {
          eventId: eid(),
          gln: GLN.roastery,
          inputs: [{ gtin: GTIN.green, lotCode: 'G-1', quantity: '1' }],
          outputs: [{ gtin: GTIN.milk, lotCode: 'M-1', quantity: '1' }],
        }),
      'FORBIDDEN',
      'outputs[0].gtin',
    );
  });

  it('lets the licensee make lots of a licensed GTIN until the owner revokes the licence', async () => {
    await expectTraceError(() => h.submit(SUPPLIER, 'GrantLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER }), 'FORBIDDEN', 'gtin');
    const granted = await h.submit(RETAILER, 'GrantLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER });
    expect(granted.result.licence).to.include({ gtin: GTIN.milk, licenseeMsp: SUPPLIER, licensorMsp: RETAILER, status: 'active' });
    expect(granted.events[0].records.map((r: { key: string }) => r.key)).to.deep.equal([`licence~${GTIN.milk}~${SUPPLIER}`]);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.milk, 'PL-1', '3');
    await expectTraceError(() => h.submit(RETAILER, 'GrantLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER }), 'DUPLICATE');
    await expectTraceError(() => h.submit(SUPPLIER, 'RevokeLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER }), 'FORBIDDEN', 'gtin');
    await h.submit(RETAILER, 'RevokeLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER });
    await expectTraceError(() => commission(h, SUPPLIER, GLN.roastery, GTIN.milk, 'PL-2', '3'), 'FORBIDDEN', 'gtin');
    expect(h.onHand(GLN.roastery, GTIN.milk, 'PL-1')).to.equal(3000n);
    await expectTraceError(() => h.submit(RETAILER, 'RevokeLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER }), 'NOT_FOUND');
  });

  it('keeps a product registered before prefixes existed with its registrant while no member holds its prefix', async () => {
    const legacy = gs1('550000000001').padStart(14, '0');
    // Registered while the supplier held 5500000; then the prefix went out of the registry.
    h.setMember(SUPPLIER, ['supplier'], ['5500000', '7612345']);
    await h.submit(SUPPLIER, 'RegisterProduct', { eventId: eid(), gtin: legacy, description: 'Old blend', unit: 'KGM' });
    h.setMember(SUPPLIER, ['supplier'], ['7612345']);
    await commission(h, SUPPLIER, GLN.roastery, legacy, 'OLD-1', '1');
    await expectTraceError(() => commission(h, RETAILER, GLN.dc, legacy, 'OLD-2', '1'), 'FORBIDDEN', 'gtin');
  });
});

describe('consortium registry: GS1 company prefixes', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('sets a member prefixes (the governance change), refusing overlaps with another member and malformed prefixes', async () => {
    const meta = { txId: 'tx-1', at: '2026-01-02T00:00:00.000Z' };
    const set = await inTx(h, RETAILER, (ctx) => setMemberPrefixes(ctx, SUPPLIER, ['7612345', '0614141'], meta));
    expect(set.gs1Prefixes).to.deep.equal(['0614141', '7612345']);
    expect(await inTx(h, RETAILER, (ctx) => memberPrefixes(ctx, SUPPLIER))).to.deep.equal(['0614141', '7612345']);
    await expectTraceError(() => inTx(h, RETAILER, (ctx) => setMemberPrefixes(ctx, SUPPLIER, ['40000011'], meta)), 'CONFLICT', 'gs1Prefixes');
    await expectTraceError(() => inTx(h, RETAILER, (ctx) => setMemberPrefixes(ctx, SUPPLIER, ['4000'], meta)), 'CONFLICT', 'gs1Prefixes');
    await expectTraceError(() => inTx(h, RETAILER, (ctx) => setMemberPrefixes(ctx, SUPPLIER, ['761'], meta)), 'INVALID_ARGUMENT', 'gs1Prefixes[0]');
    await expectTraceError(() => inTx(h, RETAILER, (ctx) => setMemberPrefixes(ctx, SUPPLIER, ['7612', '76123'], meta)), 'INVALID_ARGUMENT', 'gs1Prefixes');
    await expectTraceError(() => inTx(h, RETAILER, (ctx) => setMemberPrefixes(ctx, 'NobodyMSP', ['8888'], meta)), 'NOT_FOUND', 'mspId');
  });

  it('takes prefixes at bootstrap and refuses two members with overlapping ones', async () => {
    const empty = new Harness([]);
    const gov = await createGovernance(() => empty);
    const init = async (members: unknown[]) => (await gov.tx('Org1MSP', 'admin', 'InitConsortium', { members })).result;
    await expectTraceError(
      () =>
        init([
          { mspId: 'Org1MSP', displayName: 'One', roles: ['governance', 'retailer'], gs1Prefixes: ['4000'] },
          { mspId: 'Org2MSP', displayName: 'Two', roles: ['supplier'], gs1Prefixes: ['4000001'] },
        ]),
      'CONFLICT',
      'members[0].gs1Prefixes',
    );
    const out = await init([
      { mspId: 'Org1MSP', displayName: 'One', roles: ['governance', 'retailer'], gs1Prefixes: ['4000'] },
      { mspId: 'Org2MSP', displayName: 'Two', roles: ['supplier'] },
    ]);
    expect(out.members.map((m: { gs1Prefixes: string[] }) => m.gs1Prefixes)).to.deep.equal([['4000'], []]);
  });

  it('applies prefixes carried by governance proposals through the same overlap checks', async () => {
    const gov = await createGovernance(() => h);
    const change = (c: Record<string, unknown>) => gov.tx(RETAILER, 'admin', 'ProposeChange', { change: c });
    const before = await gov.members();
    // A new member's prefixes come with its set-member proposal; one within another member's is refused when proposed.
    await expectTraceError(
      () => change({ kind: 'set-member', mspId: 'CarrierMSP', displayName: 'Carrier', roles: ['carrier'], gs1Prefixes: ['76123456'] }),
      'CONFLICT',
      'change.gs1Prefixes',
    );
    await expectTraceError(() => change({ kind: 'set-prefixes', mspId: SUPPLIER, gs1Prefixes: ['4000'] }), 'CONFLICT', 'change.gs1Prefixes');
    await expectTraceError(() => change({ kind: 'set-prefixes', mspId: SUPPLIER, gs1Prefixes: ['7612', '76123'] }), 'INVALID_ARGUMENT', 'change.gs1Prefixes');
    expect(await gov.members()).to.deep.equal(before);
    await change({ kind: 'set-member', mspId: 'CarrierMSP', displayName: 'Carrier', roles: ['carrier'], gs1Prefixes: ['7690001'] });
    expect(await inTx(h, RETAILER, (ctx) => memberPrefixes(ctx, 'CarrierMSP'))).to.deep.equal(['7690001']);
    // A role change without prefixes keeps the member's own.
    await change({ kind: 'set-member', mspId: 'CarrierMSP', displayName: 'Carrier', roles: ['carrier', 'supplier'] });
    expect(await inTx(h, RETAILER, (ctx) => memberPrefixes(ctx, 'CarrierMSP'))).to.deep.equal(['7690001']);
    await change({ kind: 'set-prefixes', mspId: SUPPLIER, gs1Prefixes: ['7612345', '0614141'] });
    expect(await inTx(h, RETAILER, (ctx) => memberPrefixes(ctx, SUPPLIER))).to.deep.equal(['0614141', '7612345']);
  });
});
