/**
 * The EPCIS repository as the conformance tests use it: the shared devnet, an
 * indexer with its query API, and the supplier's gateway forwarding EPCIS
 * queries to it, both trusting one token issuer as in a deployment. Calling
 * `epcisStack()` inside a `describe` starts it before the suite and stops it after.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import type { ValidateFunction } from 'ajv';
import request from 'supertest';
import type { IndexerConfig } from '../../../indexer/src/config';
import { eventHashId } from '../../../lib/epcis/src/event-hash';
import { gs1Validators } from '../../fixtures/gs1-epcis';
import { waitForBlock } from '../indexer/harness';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

/** The capturing organisation. */
export const S = 'SupplierMSP';
export type Ev = Record<string, any>;

/** What a capture came to: the job (202) or the refusal. */
export interface Captured {
  status: number;
  body: Ev;
  job?: Ev;
}

export interface EpcisStack {
  readonly fx: GatewayFixture;
  readonly il: IndexedLedger;
  /** `Bearer <token>` of a supplier. */
  readonly auth: string;
  /** The newest block a finished capture job committed. */
  readonly lastBlock: bigint;
  /** The supplier's gateway. */
  api(): ReturnType<typeof request>;
  /** The indexer's query API directly (with the same token). */
  query(): ReturnType<typeof request.agent>;
  /** Polls a capture job until it ends; notes the last block it committed. */
  finished(location: string): Promise<Ev>;
  capture(doc: object): Promise<Captured>;
  /** Every stored event with this eventID (or event hash), after the indexer caught up; the answer must satisfy GS1's schema. */
  eventsById(id: string): Promise<Ev[]>;
  withoutRecordTime(ev: Ev): Ev;
  /** The event as captured: what the query must return apart from recordTime (and the eventID assigned when missing). */
  asReturned(ev: Ev, doc: Ev): Ev;
}

/** `over`: indexer settings that differ from the test defaults (e.g. the webhook allow-list). */
export function epcisStack(over: Partial<IndexerConfig> = {}): EpcisStack {
  let fx: GatewayFixture;
  let il: IndexedLedger;
  let auth = '';
  let validate: ValidateFunction;
  let lastBlock = 0n;
  const api = () => request(fx.gateways[S].url);
  const query = () => request.agent(`http://127.0.0.1:${il.indexer.httpPort()}`).set('Authorization', auth);

  async function finished(location: string): Promise<Ev> {
    for (let i = 0; i < 1200; i++) {
      const job = (await api().get(location).set('Authorization', auth).expect(200)).body;
      if (!job.running) {
        for (const t of job.transactions as Array<{ blockNumber: number }>) if (BigInt(t.blockNumber) > lastBlock) lastBlock = BigInt(t.blockNumber);
        return job;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('capture job did not finish');
  }

  async function capture(doc: object): Promise<Captured> {
    const res = await api().post('/epcis/capture').set('Authorization', auth).set('Content-Type', 'application/ld+json').send(JSON.stringify(doc));
    if (res.status !== 202) return { status: res.status, body: res.body };
    return { status: 202, body: res.body, job: await finished(res.headers.location) };
  }

  async function eventsById(id: string): Promise<Ev[]> {
    await waitForBlock(il.pool, lastBlock);
    const res = await query().get('/epcis/events').query({ EQ_eventID: id }).expect(200);
    expect(validate(res.body), `${id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
    return res.body.epcisBody.queryResults.resultsBody.eventList;
  }

  const withoutRecordTime = ({ recordTime: _r, ...rest }: Ev) => rest;
  const asReturned = (ev: Ev, doc: Ev) => withoutRecordTime({ ...ev, eventID: ev.eventID ?? eventHashId(ev, doc['@context']) });

  before(async () => {
    validate = gs1Validators().epcis;
    il = await startIndexedLedger(over);
    // One issuer for both services, as in a deployment: the gateway verifies the tokens the indexer's dev issuer
    // mints, and forwards them to the indexer, which verifies them again.
    const issuer = JSON.parse(fs.readFileSync(il.cfg.auth.devKeyFile!, 'utf8')) as { issuer: string; jwksUrl: string };
    fx = await startGatewayFixture([S], {
      EPCIS_QUERY_URL: `http://127.0.0.1:${il.indexer.httpPort()}`,
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ISSUER: issuer.issuer,
    });
    auth = `Bearer ${await il.indexer.devIssuer()!.mint({ sub: 'epcis-conformance', roles: ['supplier'], org: S })}`;
  });
  after(async () => {
    await fx?.stop();
    await il?.stop();
  });

  return {
    get fx() {
      return fx;
    },
    get il() {
      return il;
    },
    get auth() {
      return auth;
    },
    get lastBlock() {
      return lastBlock;
    },
    api,
    query,
    finished,
    capture,
    eventsById,
    withoutRecordTime,
    asReturned,
  };
}
