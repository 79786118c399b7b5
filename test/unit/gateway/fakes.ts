/**
 * Unit-test doubles: an in-memory LedgerClient and SubmissionStore, and a
 * gateway wired with them plus a real dev issuer (loopback JWKS).
 */
import pino from 'pino';
import { createDevIssuer, type DevIssuer } from '../../../lib/platform/src/auth/dev-issuer';
import { createJwtVerifier } from '../../../lib/platform/src/auth/jwt-verifier';
import type { Role } from '../../../lib/domain/src/roles';
import { bindToOrganisation, ServiceError } from '../../../lib/platform/src';
import { createGateway, type Gateway, type GatewayOptions } from '../../../gateway/src/gateway';
import type { LedgerClient, TransactionRequest } from '../../../lib/fabric/src';
import { posRoutes } from '../../../gateway/src/adapters/pos/pos-routes';
import { createMemoryProofStore } from '../../../gateway/src/adapters/pos/proof-store';
import { sapRoutes } from '../../../gateway/src/adapters/sap/sap-routes';
import type { SapMappings } from '../../../gateway/src/adapters/sap/mappings';
import type { IdempotencyBegin, StoredResponse, SubmissionRow, SubmissionStore } from '../../../gateway/src/submission/store';

export const AUDIENCE = 'coffee-trace-gateway';

export const GLN_STORE = '4000001000050';
/** SAP code mappings used by the unit tests' gateway. */
export const SAP_MAPPINGS: SapMappings = {
  plants: { '1000': '4000001000005', '1000/0002': '4000001000012', '2000': '4000001000029' },
  materials: { 'MAT-ROAST': '04000001000012', '4711': '04000001000012' },
  partners: { DC01: '4000001000029' },
  vendors: { V100: 'SupplierMSP' },
  paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '1', payee: `0x${'ab'.repeat(20)}` },
};

export interface FakeLedger extends LedgerClient {
  submitted: TransactionRequest[];
  /** Next submit calls reject with these errors, in order. */
  failNext: unknown[];
  owners: Map<string, string>;
}

/** A GLN the fake ledger says the retailer owns. */
export const FOREIGN_GLN = '4000001000098';

export function createFakeLedger(mspId = 'SupplierMSP'): FakeLedger {
  let block = 10n;
  const submitted: TransactionRequest[] = [];
  const failNext: unknown[] = [];
  const owners = new Map<string, string>();
  return {
    mspId,
    peer: 'peer0.supplier:1',
    submitted,
    failNext,
    owners,
    async submit(req) {
      if (failNext.length > 0) throw failNext.shift();
      submitted.push(req);
      const arg = JSON.parse(req.args?.[0] ?? '{}');
      block += 1n;
      return { txId: `tx-${submitted.length}`, blockNumber: block, payload: Buffer.from(JSON.stringify({ eventId: arg.eventId, fn: req.fn })) };
    },
    async evaluate(req) {
      if (req.fn === 'GetHistory') {
        const [type, id] = String(req.args?.[0]).split('~');
        const other = id.includes('FOREIGN');
        // An order or a shipment of this organisation's (or, named FOREIGN, of other members), as the chaincode keeps it.
        if (type === 'po') return Buffer.from(JSON.stringify({ history: [{ value: { buyerMsp: 'RetailerMSP', supplierMsp: other ? 'CarrierMSP' : mspId } }] }));
        if (type === 'shipment')
          return Buffer.from(JSON.stringify({ history: [{ value: { senderMsp: other ? 'CarrierMSP' : mspId, receiverMsp: 'RetailerMSP' } }] }));
        const owner = owners.get(id);
        return Buffer.from(JSON.stringify({ history: owner ? [{ value: { ownerMsp: owner } }] : [] }));
      }
      if (req.fn === 'GetLot' || req.fn === 'GetLotTrace') {
        // A lot this organisation commissioned (named FOREIGN: another member's).
        const lot = { gtin: req.args?.[0], lotCode: req.args?.[1], commissionedBy: String(req.args?.[1]).includes('FOREIGN') ? 'RetailerMSP' : mspId };
        return Buffer.from(JSON.stringify({ lot, positions: [], ancestors: [], descendants: [] }));
      }
      if (req.fn === 'GetEvent') {
        const arg = submitted.map((r) => JSON.parse(r.args?.[0] ?? '{}')).find((a) => a.eventId === req.args?.[0]);
        // Ids of captured EPCIS events that were never submitted are unknown.
        if (!arg && /^(urn:|epcis-)/.test(String(req.args?.[0])))
          throw new ServiceError({ code: 'NOT_FOUND', message: `event ${req.args?.[0]} not found`, httpStatus: 404, details: { field: 'eventId' } });
        if (arg) return Buffer.from(JSON.stringify({ event: { eventId: arg.eventId, mspId: 'SupplierMSP', captured: arg.epcisEvents } }));
        // Any other id is an event of this organisation (GetEvent answers only the caller's own).
        return Buffer.from(JSON.stringify({ event: { eventId: req.args?.[0], mspId } }));
      }
      // The consortium registry: this organisation holds the samples' GS1 company prefix.
      if (req.fn === 'GetMembers') return Buffer.from(JSON.stringify({ members: [{ mspId, gs1Prefixes: ['4000001'] }] }));
      if (req.fn === 'GetEventByHash') {
        // The first submitted transaction whose captured events carry this hash, as the chaincode's index keeps it.
        const arg = submitted.map((r) => JSON.parse(r.args?.[0] ?? '{}')).find((a) => (a.epcisHashes ?? []).includes(req.args?.[0]));
        if (!arg)
          throw new ServiceError({ code: 'NOT_FOUND', message: `no event with hash ${req.args?.[0]}`, httpStatus: 404, details: { field: 'eventHash' } });
        return Buffer.from(JSON.stringify({ event: { eventId: arg.eventId, mspId: 'SupplierMSP', captured: arg.epcisEvents } }));
      }
      // Records as the chaincode answers them, with the parties the gateway scopes reads by.
      // Ids and GLNs named FOREIGN belong to other members: the retailer and a carrier.
      const foreign = String(req.args?.[0]).includes('FOREIGN') || req.args?.[0] === FOREIGN_GLN;
      if (req.fn === 'GetPurchaseOrder')
        return Buffer.from(JSON.stringify({ order: { poId: req.args?.[0], buyerMsp: 'RetailerMSP', supplierMsp: foreign ? 'CarrierMSP' : 'SupplierMSP' } }));
      if (req.fn === 'GetStock')
        return Buffer.from(JSON.stringify({ location: { gln: req.args?.[0], ownerMsp: foreign ? 'RetailerMSP' : 'SupplierMSP' }, positions: [], total: '0' }));
      if (req.fn === 'GetShipment' && foreign) return Buffer.from(JSON.stringify({ shipment: { senderMsp: 'RetailerMSP', receiverMsp: 'CarrierMSP' } }));
      if (req.fn === 'GetShipment') {
        if (req.args?.[0] === 'MISSING') {
          throw new ServiceError({ code: 'NOT_FOUND', message: 'shipment MISSING not found', httpStatus: 404, details: { field: 'shipmentId' } });
        }
        return Buffer.from(JSON.stringify({ shipment: { senderMsp: 'SupplierMSP', receiverMsp: 'RetailerMSP' } }));
      }
      return Buffer.from(JSON.stringify({ fn: req.fn, args: req.args }));
    },
    blocks: () => (async function* () {})(),
    blockByTxId: async () => {
      throw new Error('not faked');
    },
    blockByNumber: async () => {
      throw new Error('not faked');
    },
    configBlock: async () => {
      throw new Error('not faked');
    },
    height: async () => block,
    chainInfo: async () => ({ height: block, firstBlock: 0n }),
    peers: () => [
      { name: 'peer0.retailer:1', mspId: 'RetailerMSP' },
      { name: 'peer0.supplier:1', mspId: 'SupplierMSP' },
      { name: 'peer0.auditor:1', mspId: 'AuditorMSP' },
    ],
    commitListeners: () => ({ peers: [], graceExpired: 0 }),
    certificates: () => [],
    close: () => undefined,
  };
}

export function createMemoryStore(): SubmissionStore & { rows: Map<string, SubmissionRow> } {
  const idem = new Map<string, { hash: string; response?: StoredResponse }>();
  const rows = new Map<string, SubmissionRow>();
  const now = () => new Date().toISOString();
  return {
    rows,
    async migrate() {},
    async beginIdempotent(scope, key, hash): Promise<IdempotencyBegin> {
      const k = `${scope}\u0000${key}`;
      const r = idem.get(k);
      if (!r) {
        idem.set(k, { hash });
        return { state: 'new' };
      }
      if (r.hash !== hash) return { state: 'mismatch' };
      return r.response ? { state: 'replay', response: r.response } : { state: 'in_progress' };
    },
    async completeIdempotent(scope, key, response) {
      idem.get(`${scope}\u0000${key}`)!.response = response;
    },
    async releaseIdempotent(scope, key) {
      idem.delete(`${scope}\u0000${key}`);
    },
    async enqueue(s) {
      rows.set(s.id, {
        id: s.id,
        mspId: s.mspId,
        clientId: s.clientId,
        eventId: s.command.eventId,
        fn: s.command.fn,
        command: s.command,
        status: 'pending',
        attempts: 0,
        createdAt: now(),
        updatedAt: now(),
      });
    },
    async get(id) {
      return rows.get(id);
    },
    async claimNext(mspId) {
      for (const r of rows.values()) {
        if (r.mspId === mspId && r.status === 'pending') {
          r.status = 'running';
          r.attempts++;
          return { ...r };
        }
      }
      return undefined;
    },
    async markCommitted(id, o) {
      Object.assign(rows.get(id)!, { status: 'committed', txId: o.txId, blockNumber: o.blockNumber, result: o.result });
    },
    async markRetry(id, error) {
      Object.assign(rows.get(id)!, { status: 'pending', error });
    },
    async markFailed(id, error) {
      Object.assign(rows.get(id)!, { status: 'failed', error });
    },
    async counts() {
      return { pending: 0, running: 0, committed: 0, failed: 0 };
    },
    async ping() {
      return true;
    },
    async close() {},
  };
}

export interface TestGateway {
  gateway: Gateway;
  ledger: FakeLedger;
  store: ReturnType<typeof createMemoryStore>;
  issuer: DevIssuer;
  issuerUrl: string;
  token(roles: Role[], sub?: string): Promise<string>;
  close(): Promise<void>;
}

/** A gateway over fakes, with a real dev issuer and verifier. */
export async function createTestGateway(overrides: Partial<GatewayOptions> = {}, issuerKeyFile?: string): Promise<TestGateway> {
  const issuer = createDevIssuer({ audience: AUDIENCE, keyFile: issuerKeyFile });
  const { issuer: iss, jwksUrl } = await issuer.start();
  const ledger = createFakeLedger();
  const store = createMemoryStore();
  const gateway = createGateway({
    mspId: 'SupplierMSP',
    ledger,
    store,
    // As the gateway's main binds it: tokens of another organisation are refused, tokens without one are its own.
    verifier: bindToOrganisation(createJwtVerifier({ jwksUrl, issuer: iss, audience: AUDIENCE, algorithms: ['ES256', 'RS256'] }), {
      org: 'SupplierMSP',
      claim: 'org',
      required: false,
    }),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    rateLimit: { ratePerSec: 10_000, burst: 10_000 },
    worker: { enabled: false },
    extraRoutes: [posRoutes({ proofs: createMemoryProofStore(), stores: { S001: GLN_STORE } }), sapRoutes({ mappings: SAP_MAPPINGS })],
    ...overrides,
  });
  return {
    gateway,
    ledger,
    store,
    issuer,
    issuerUrl: iss,
    token: (roles, sub = 'user-1') => issuer.mint({ sub, roles }),
    close: () => issuer.stop(),
  };
}
