/**
 * A hostile member on the real devnet tries to take what belongs to another:
 * a lot code of the retailer's private-label GTIN, the retailer's GLN and
 * GTIN, the retailer's pallet (SSCC), the retailer's event id. Each attempt
 * is refused (FORBIDDEN naming the GS1 company prefix rule) and the owner's
 * own use then succeeds. A licence from the GTIN's owner lets the supplier
 * make its lots until the owner revokes it.
 */
import { expect } from 'chai';
import { randomInt, randomUUID } from 'node:crypto';
import { ServiceError } from '../../../lib/platform/src';
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';
import {
  RETAILER,
  SUPPLIER,
  closeAll,
  connectAll,
  eventId,
  queryJson,
  submitJson,
  testPrefix,
  uniqueGln,
  uniqueGtin,
  type Orgs,
} from '../chaincode/ledger-fixtures';

/** The error a submission is refused with; fails when it commits. */
async function refusal(run: () => Promise<unknown>): Promise<ServiceError> {
  try {
    await run();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('the submission was accepted');
}

/** A fresh SSCC within the GS1 company prefix of `msp`, as a Digital Link. */
function ssccLink(msp: string): string {
  const prefix = testPrefix(msp);
  let serial = '';
  while (serial.length < 16 - prefix.length) serial += String(randomInt(10));
  const body = `0${prefix}${serial}`;
  return `https://id.gs1.org/00/${body}${gs1CheckDigit(body)}`;
}

describe('attacks on identifiers: a member uses only keys within its GS1 company prefixes', function () {
  this.timeout(180_000);
  let orgs: Orgs;
  const site = { supplier: uniqueGln(SUPPLIER), dc: uniqueGln(RETAILER) };
  const privateLabel = uniqueGtin(RETAILER);
  const location = (gln: string, type: string) => ({ eventId: eventId('atk'), gln, type, name: `${type} ${gln}`, address: { country: 'DE' } });
  const commission = (msp: string, gln: string, gtin: string, lotCode: string) =>
    submitJson(orgs[msp], 'CommissionLot', { eventId: eventId('atk'), gln, gtin, lotCode, quantity: '10' });

  before(async () => {
    orgs = await connectAll();
    await submitJson(orgs[SUPPLIER], 'RegisterLocation', location(site.supplier, 'roastery'));
    await submitJson(orgs[RETAILER], 'RegisterLocation', location(site.dc, 'dc'));
    await submitJson(orgs[RETAILER], 'RegisterProduct', { eventId: eventId('atk'), gtin: privateLabel, description: 'Private label 500 g', unit: 'KGM' });
  });
  after(() => closeAll(orgs));

  it('squatted lot: the supplier may not commission lot L9 of the retailer GTIN; the retailer L9 then commits', async () => {
    const err = await refusal(() => commission(SUPPLIER, site.supplier, privateLabel, 'L9'));
    expect(err.code, err.message).to.equal('FORBIDDEN');
    expect(err.message).to.contain('GS1 company prefixes');
    const { result } = await commission(RETAILER, site.dc, privateLabel, 'L9');
    expect(result.lot).to.include({ gtin: privateLabel, lotCode: 'L9', commissionedBy: RETAILER });
  });

  it('foreign GLN and GTIN: the supplier may not register a location or product within the retailer prefix', async () => {
    const gln = await refusal(() => submitJson(orgs[SUPPLIER], 'RegisterLocation', location(uniqueGln(RETAILER), 'roastery')));
    expect(gln.code, gln.message).to.equal('FORBIDDEN');
    expect(gln.message).to.contain(`outside ${SUPPLIER}'s GS1 company prefixes`);
    const gtin = uniqueGtin(RETAILER);
    const product = await refusal(() => submitJson(orgs[SUPPLIER], 'RegisterProduct', { eventId: eventId('atk'), gtin, description: 'Squat', unit: 'KGM' }));
    expect(product.code, product.message).to.equal('FORBIDDEN');
    const { result } = await submitJson(orgs[RETAILER], 'RegisterProduct', { eventId: eventId('atk'), gtin, description: 'Own', unit: 'KGM' });
    expect(result.product.registeredBy).to.equal(RETAILER);
  });

  it('foreign SSCC: the supplier may not unpack (AggregationEvent DELETE) a pallet the retailer packed', async () => {
    const lot = `PAL-${randomUUID().slice(0, 8)}`;
    await commission(RETAILER, site.dc, privateLabel, lot);
    const pallet = ssccLink(RETAILER);
    const event = (action: 'ADD' | 'DELETE') => ({
      type: 'AggregationEvent',
      eventTime: new Date().toISOString(),
      eventTimeZoneOffset: '+00:00',
      action,
      parentID: pallet,
      ...(action === 'ADD' ? { childQuantityList: [{ epcClass: `https://id.gs1.org/01/${privateLabel}/10/${lot}`, quantity: 10, uom: 'KGM' }] } : {}),
    });
    await submitJson(orgs[RETAILER], 'RecordEvents', { eventId: eventId('atk'), epcisEvents: [event('ADD')] });
    const err = await refusal(() => submitJson(orgs[SUPPLIER], 'RecordEvents', { eventId: eventId('atk'), epcisEvents: [event('DELETE')] }));
    expect(err.code, err.message).to.equal('FORBIDDEN');
    expect(err.message).to.contain(`packed by ${RETAILER}`);
    const history = await queryJson(orgs[RETAILER], 'GetHistory', `aggregation~${pallet}`);
    expect(history.history).to.have.length(1);
    expect(history.history[0].value.childQuantityList).to.have.length(1);
    const { result } = await submitJson(orgs[RETAILER], 'RecordEvents', { eventId: eventId('atk'), epcisEvents: [event('DELETE')] });
    expect(result.aggregations).to.deep.equal([pallet]);
  });

  it('squatted event id: another member using the retailer payment id first does not block the retailer', async () => {
    const id = `pay:PO-${randomUUID().slice(0, 8)}:31337:0x${randomUUID().replace(/-/g, '')}:native`;
    await submitJson(orgs[SUPPLIER], 'RegisterProduct', { eventId: id, gtin: uniqueGtin(SUPPLIER), description: 'Squat', unit: 'KGM' });
    const own = uniqueGtin(RETAILER);
    const { result } = await submitJson(orgs[RETAILER], 'RegisterProduct', { eventId: id, gtin: own, description: 'Own', unit: 'KGM' });
    expect(result.product).to.include({ gtin: own, registeredBy: RETAILER });
    expect((await queryJson(orgs[RETAILER], 'GetEvent', id)).event).to.include({ mspId: RETAILER, function: 'RegisterProduct' });
    expect((await queryJson(orgs[SUPPLIER], 'GetEvent', id)).event).to.include({ mspId: SUPPLIER });
    // A repeat by the owner still answers with its original outcome.
    const again = await submitJson(orgs[RETAILER], 'RegisterProduct', { eventId: id, gtin: own, description: 'Own', unit: 'KGM' });
    expect(again.result.txId).to.equal(result.txId);
  });

  it('licence: the brand owner lets the supplier commission lots of its GTIN; revoking it stops new lots', async () => {
    const licence = { gtin: privateLabel, licenseeMsp: SUPPLIER };
    const before = await refusal(() => commission(SUPPLIER, site.supplier, privateLabel, `LIC-${randomUUID().slice(0, 6)}`));
    expect(before.code, before.message).to.equal('FORBIDDEN');
    await submitJson(orgs[RETAILER], 'GrantLicence', { eventId: eventId('atk'), ...licence });
    const lot = `LIC-${randomUUID().slice(0, 6)}`;
    const { result } = await commission(SUPPLIER, site.supplier, privateLabel, lot);
    expect(result.lot).to.include({ gtin: privateLabel, lotCode: lot, commissionedBy: SUPPLIER });
    const notOwner = await refusal(() => submitJson(orgs[SUPPLIER], 'RevokeLicence', { eventId: eventId('atk'), ...licence }));
    expect(notOwner.code, notOwner.message).to.equal('FORBIDDEN');
    await submitJson(orgs[RETAILER], 'RevokeLicence', { eventId: eventId('atk'), ...licence });
    const after = await refusal(() => commission(SUPPLIER, site.supplier, privateLabel, `LIC-${randomUUID().slice(0, 6)}`));
    expect(after.code, after.message).to.equal('FORBIDDEN');
    expect(after.message).to.contain('no licence');
  });
});
