/**
 * Shared setup of the auditor integration tests: PostgreSQL on the indexer
 * test services' port base, a fresh indexer schema fed by the shared devnet,
 * the harness's coffee chain plus a shipment carrying a BOL and an ASN, and the
 * EPCIS 2.0 JSON schema from the gs1/EPCIS repository (GS1's, not the project's).
 */
import { randomBytes } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { gs1Validators } from '../../fixtures/gs1-epcis';
import type { Pool } from 'pg';
import type { Indexer } from '../../../indexer/src/main';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { RETAILER, SUPPLIER, eventId, submitJson, type Orgs } from '../chaincode/ledger-fixtures';
import { peersAt, queryApi, runChain, setUpChain, waitForBlock, type Chain } from '../indexer/harness';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';

/** What the tests query. */
export interface Scenario {
  fx: IndexedLedger;
  pg: PostgresServer;
  orgs: Orgs;
  indexer: Indexer;
  pool: Pool;
  schema: string;
  chain: Chain;
  /** The second shipment (roastery → DC) with documents. */
  docShipment: { id: string; bol: string; desadv: string };
  baseUrl: string;
  /** The query API with an auditor's (and retailer operations') token on every request. */
  api: Awaited<ReturnType<typeof queryApi>>;
}

/** Starts everything and runs the chain; resolves once the indexer has projected it. */
export async function startScenario(): Promise<Scenario> {
  const fx = await startIndexedLedger();
  const { pg, orgs, indexer, cfg } = fx;
  const chain = await setUpChain(orgs);
  await runChain(orgs, chain);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const docShipment = { id: `SHD-${tag}`, bol: `BOL-${tag}`, desadv: `ASN-${tag}` };
  const both = [SUPPLIER, RETAILER];
  const note = (r: { commit: { txId: string; blockNumber: bigint } }) => {
    chain.txIds.push(r.commit.txId);
    if (r.commit.blockNumber > chain.lastBlock) chain.lastBlock = r.commit.blockNumber;
  };
  const lot = `${chain.greenLot}-2`;
  note(
    await submitJson(orgs[SUPPLIER], 'CommissionLot', { eventId: eventId(), gln: chain.gln.roastery, gtin: chain.gtin.green, lotCode: lot, quantity: '50' }),
  );
  // Both parties endorse the shipment: the retailer's peer must hold the lot first.
  await peersAt(orgs, chain.lastBlock);
  note(
    await submitJson(
      orgs[SUPPLIER],
      'CreateShipment',
      {
        eventId: eventId(),
        shipmentId: docShipment.id,
        fromGln: chain.gln.roastery,
        toGln: chain.gln.dc,
        bol: docShipment.bol,
        desadv: docShipment.desadv,
        lines: [{ gtin: chain.gtin.green, lotCode: lot, quantity: '50' }],
      },
      both,
    ),
  );
  note(await submitJson(orgs[SUPPLIER], 'DispatchShipment', { eventId: eventId(), shipmentId: docShipment.id }, both));
  note(await submitJson(orgs[RETAILER], 'ReceiveShipment', { eventId: eventId(), shipmentId: docShipment.id }, both));
  await waitForBlock(indexer.pool, chain.lastBlock);
  return {
    fx,
    pg,
    orgs,
    indexer,
    pool: indexer.pool,
    schema: cfg.schema,
    chain,
    docShipment,
    baseUrl: `http://127.0.0.1:${indexer.httpPort()}`,
    api: await queryApi(indexer),
  };
}

/** Stops what {@link startScenario} started and drops its schema. */
export async function stopScenario(s: Scenario | undefined): Promise<void> {
  await s?.fx.stop();
}

/** GS1's EPCIS 2.0 JSON schema (the copy of gs1/EPCIS under test/fixtures/gs1), compiled with ajv 8. */
export function epcisSchemaValidator(): ValidateFunction {
  return gs1Validators().epcis;
}
