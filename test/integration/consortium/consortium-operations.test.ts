/**
 * Consortium operations on a five-organisation devnet with three Raft
 * orderers (its own network): custody between the second supplier and the
 * retailer under the shipment's key-level policy, and endorsements by
 * non-parties refused at validation.
 */
import { expect } from 'chai';
import { ServiceError, type LedgerClient } from '../../../ledger/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetDown, devnetUp } from '../../../network/src/devnet';
import type { DevnetInfo } from '../../../network/src/devnet-info';
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';
import { consortiumDevnetConfig, eventId, queryJson, submitJson } from './consortium-devnet';

const RETAILER = 'RetailerMSP';
const SUPPLIER = 'SupplierMSP';
const SUPPLIER2 = 'Supplier2MSP';
const SUPPLIER3 = 'Supplier3MSP';
const AUDITOR = 'AuditorMSP';

let serial = 0;
const stamp = Date.now() % 1_000_000;
function gln(): string {
  const body = `79${String(stamp).padStart(6, '0')}${String(serial++).padStart(4, '0')}`;
  return body + gs1CheckDigit(body);
}
function gtin(): string {
  const body = `07${String(stamp).padStart(6, '0')}${String(serial++).padStart(5, '0')}`;
  return body + gs1CheckDigit(body);
}

async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected a rejection');
}

describe('consortium operations (five organisations, three orderers, own network)', function () {
  this.timeout(600_000);
  const cfg = consortiumDevnetConfig();
  const quiet = () => undefined;
  let info: DevnetInfo;
  const users: Record<string, LedgerClient> = {};

  before(async function () {
    await devnetDown(cfg, { wipe: true }, quiet);
    info = await devnetUp(cfg, quiet);
    for (const msp of [RETAILER, SUPPLIER, SUPPLIER2, SUPPLIER3, AUDITOR]) users[msp] = await connectDevnet(info, msp);
  });
  after(async () => {
    for (const c of Object.values(users)) c.close();
    await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
  });

  it('seeds every organisation of the topology into the consortium registry with its role', async () => {
    const { members } = JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8'));
    const roles = Object.fromEntries((members as Array<{ mspId: string; roles: string[] }>).map((m) => [m.mspId, [...m.roles].sort().join('+')]));
    expect(roles).to.deep.equal({
      RetailerMSP: 'governance+retailer',
      SupplierMSP: 'supplier',
      Supplier2MSP: 'supplier',
      Supplier3MSP: 'supplier',
      AuditorMSP: 'auditor',
    });
    expect(info.orderers?.map((o) => o.name)).to.deep.equal(['orderer0', 'orderer1', 'orderer2']);
  });

  describe('custody between the second supplier and the retailer', () => {
    const site = gln();
    const dc = gln();
    const product = gtin();
    before(async () => {
      await submitJson(users[SUPPLIER2], 'RegisterLocation', { eventId: eventId(), gln: site, type: 'roastery', name: 'Roastery 2', address: { country: 'CO' } });
      await submitJson(users[RETAILER], 'RegisterLocation', { eventId: eventId(), gln: dc, type: 'dc', name: 'DC', address: { country: 'DE' } });
      await submitJson(users[SUPPLIER2], 'RegisterProduct', { eventId: eventId(), gtin: product, description: 'Roasted beans', unit: 'KGM' });
    });

    async function shipment(lot: string): Promise<string> {
      await submitJson(users[SUPPLIER2], 'CommissionLot', { eventId: eventId(), gln: site, gtin: product, lotCode: lot, quantity: '40' });
      const shipmentId = `SH-${lot}`;
      await submitJson(users[SUPPLIER2], 'CreateShipment', {
        eventId: eventId(), shipmentId, fromGln: site, toGln: dc, lines: [{ gtin: product, lotCode: lot, quantity: '40' }],
      }, [SUPPLIER2, RETAILER, AUDITOR]);
      return shipmentId;
    }

    it('commits VALID when the parties (and a third org for MAJORITY of five) endorse', async () => {
      const lot = `L2-${stamp}-a`;
      const shipmentId = await shipment(lot);
      const dispatched = await submitJson(users[SUPPLIER2], 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER2, RETAILER, AUDITOR]);
      const received = await submitJson(users[RETAILER], 'ReceiveShipment', { eventId: eventId(), shipmentId }, [RETAILER, SUPPLIER2, AUDITOR]);
      expect(received.result.shipment.status).to.equal('received');
      // The auditor's peer, not a party, has committed both transactions as VALID.
      for (const c of [dispatched.commit, received.commit]) {
        const block = await users[AUDITOR].blockByTxId(c.txId);
        const tx = block.transactions.find((t) => t.txId === c.txId)!;
        expect(tx.validationCode).to.equal('VALID');
        expect(tx.endorserMspIds).to.include.members([SUPPLIER2, RETAILER]);
      }
      const stock = await queryJson(users[AUDITOR], 'GetStock', dc);
      expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('40.000');
    });

    it('commits ENDORSEMENT_POLICY_FAILURE when only suppliers not party to it endorse, and changes nothing', async () => {
      const lot = `L2-${stamp}-b`;
      const shipmentId = await shipment(lot);
      // Two suppliers alone: neither party, and not a majority either.
      const alone = await rejection(submitJson(users[SUPPLIER2], 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER, SUPPLIER3]));
      expect(alone.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
      // Three non-parties satisfy the chaincode's MAJORITY but not the shipment key's policy.
      const majority = await rejection(submitJson(users[SUPPLIER2], 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER, SUPPLIER3, AUDITOR]));
      expect(majority.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
      const { shipment: after } = await queryJson(users[AUDITOR], 'GetShipment', shipmentId);
      expect(after.status).to.equal('created');
      const stock = await queryJson(users[AUDITOR], 'GetStock', site);
      expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('40.000');
    });
  });
});
