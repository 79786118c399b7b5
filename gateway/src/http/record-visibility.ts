/**
 * Which ledger records a caller of this gateway may read (docs/visibility.md),
 * decided on the chaincode's answers: the gateway reads world state through
 * its organisation's peer, which holds every member's records, so each read
 * of a lot or of a key's history is scoped here before it is answered. The
 * auditor role reads everything; anyone else what its organisation owns or
 * is a party to. What is not granted is answered 404, as if absent.
 */
import { CONSORTIUM_EVENT_NAME, CONTRACT, QUERY } from '../../../lib/domain/src';
import { transactionWrites, type LedgerBlock, type LedgerTransaction } from '../../../lib/fabric/src';

/** A chaincode query's parsed JSON answer. */
export type LedgerRead = (fn: string, ...args: string[]) => Promise<any>;

interface Position {
  gln: string;
}

interface LotRef {
  gtin: string;
  lotCode: string;
}

/**
 * Where a lot of the chaincode's trace is: `positions` its stock now, `sites`
 * every location that ever held it (absent from a chaincode that predates it:
 * then the positions stand in for them).
 */
interface Whereabouts {
  positions: Position[];
  sites?: string[];
}

interface LotTrace extends Whereabouts {
  lot: { commissionedBy?: string };
  ancestors: unknown[];
  descendants: Array<LotRef & Whereabouts & { commissionedBy?: string; parents?: LotRef[] }>;
}

/** Records whose writing makes a transaction visible to their readers: the facts of the `transaction` rule. */
const FACT_TYPES = new Set(['lot', 'stock', 'transit', 'shipment', 'receipt', 'po', 'payment', 'event', 'aggregation', 'recall']);
/** Of those, the records whose rule reads the key's own history (the others are decided from the key). */
const HISTORY_DECIDES = new Set(['po', 'payment', 'event', 'aggregation', 'recall']);

/** Owners of locations by GLN, each read once from the ledger (a location keeps its owner). */
export function createLocationOwners(read: LedgerRead): (gln: string) => Promise<string | undefined> {
  const owners = new Map<string, string>();
  return async (gln) => {
    const known = owners.get(gln);
    if (known) return known;
    const { history } = (await read(QUERY.GetHistory, `location~${gln}`)) as { history: Array<{ value?: { ownerMsp?: string } }> };
    const owner = history.find((h) => h.value?.ownerMsp)?.value?.ownerMsp;
    if (owner) owners.set(gln, owner);
    return owner;
  };
}

/** The rules over the records of one ledger, for one caller's organisation. */
export function createRecordVisibility(read: LedgerRead, ownerOf = createLocationOwners(read)) {
  const own = async (org: string, positions: Position[]): Promise<Position[]> => {
    const out: Position[] = [];
    for (const p of positions) if ((await ownerOf(p.gln)) === org) out.push(p);
    return out;
  };

  /** The locations of `org` that hold or ever held a lot of the trace. */
  const ownSites = async (org: string, w: Whereabouts): Promise<string[]> => {
    const out: string[] = [];
    for (const gln of w.sites ?? w.positions.map((p) => p.gln)) if ((await ownerOf(gln)) === org) out.push(gln);
    return out;
  };

  /**
   * A lot's trace as `org` may see it, or undefined when the lot is not in its
   * provenance (rule `lot`, as the query API decides it from the full history):
   * it commissioned the lot or ever held it (stock of it at one of its
   * locations, now or before), or commissioned or ever held a lot made from it.
   * Every ancestor is shown (the provenance of what it holds or held); of the
   * descendants only those of its own provenance (it commissioned or held them
   * or a lot made from them), and every position only at its own locations.
   */
  async function lotTrace(gtin: string, lotCode: string, org: string): Promise<LotTrace | undefined> {
    const trace = (await read(QUERY.GetLotTrace, gtin, lotCode)) as LotTrace;
    const positions = await own(org, trace.positions ?? []);
    const sites = await ownSites(org, { positions: trace.positions ?? [], sites: trace.sites });
    const all = trace.descendants ?? [];
    const id = (l: LotRef) => `${l.gtin}/${l.lotCode}`;
    const byId = new Map(all.map((d) => [id(d), d]));
    // The descendants that are its own, then every descendant they were made from (upstream of its own).
    const mine = new Map<string, { positions: Position[]; sites: string[] }>();
    const visible = new Set<string>();
    const queue: LotRef[] = [];
    for (const d of all) {
      const here = { positions: await own(org, d.positions ?? []), sites: await ownSites(org, { positions: d.positions ?? [], sites: d.sites }) };
      mine.set(id(d), here);
      if (d.commissionedBy === org || here.sites.length > 0) queue.push(d);
    }
    while (queue.length > 0) {
      const d = queue.shift()!;
      if (visible.has(id(d))) continue;
      visible.add(id(d));
      for (const p of byId.get(id(d))?.parents ?? []) if (byId.has(id(p))) queue.push(p);
    }
    if (trace.lot.commissionedBy !== org && sites.length === 0 && visible.size === 0) return undefined;
    const descendants = all.filter((d) => visible.has(id(d))).map((d) => ({ ...d, ...mine.get(id(d))! }));
    return { ...trace, positions, sites, descendants };
  }

  const parties = (v: Record<string, unknown> | undefined, ...fields: string[]) => fields.map((f) => v?.[f]).filter((x): x is string => typeof x === 'string');
  const anyVersion = (history: Array<{ value?: unknown }>, test: (v: Record<string, unknown>) => boolean) =>
    history.some((h) => h.value !== null && typeof h.value === 'object' && test(h.value as Record<string, unknown>));
  const shipmentParties = async (shipmentId: string): Promise<string[]> => {
    const { history } = (await read(QUERY.GetHistory, `shipment~${shipmentId}`)) as { history: Array<{ value?: Record<string, unknown> }> };
    return history.flatMap((h) => parties(h.value, 'senderMsp', 'receiverMsp', 'carrier'));
  };

  /**
   * Whether `org` may read the history of the readable key: a location by its
   * owner (rule `location`); a product's master data every member (a GTIN's
   * description is shared with trading partners); a lot by its provenance; stock by the
   * location's owner; a shipment, its transit and receipts by its parties; an
   * order and its payments by buyer and supplier; an event record by the member
   * that submitted it; a pallet's contents (aggregation) by the members that
   * packed or changed it; a recall by its declarer and the members that may see a
   * lot it affects. Any other record is the auditor's alone.
   */
  async function historyVisible(key: string, history: Array<{ value?: unknown }>, org: string): Promise<boolean> {
    const [type, ...attrs] = key.split('~');
    switch (type) {
      case 'location':
        return (await ownerOf(attrs[0])) === org;
      case 'product':
        return true;
      case 'lot':
        return (await lotTraceOrNone(attrs[0], attrs[1], org)) !== undefined;
      case 'stock':
        return (await ownerOf(attrs[0])) === org;
      case 'shipment':
      case 'transit':
      case 'receipt':
        return (await shipmentParties(attrs[0])).includes(org);
      case 'po':
        return anyVersion(history, (v) => parties(v, 'buyerMsp', 'supplierMsp').includes(org));
      case 'payment': {
        const poIds = new Set(history.map((h) => (h.value as { poId?: string } | null)?.poId).filter((x): x is string => typeof x === 'string'));
        for (const poId of poIds) {
          const { history: po } = (await read(QUERY.GetHistory, `po~${poId}`)) as { history: Array<{ value?: unknown }> };
          if (anyVersion(po, (v) => parties(v, 'buyerMsp', 'supplierMsp').includes(org))) return true;
        }
        return false;
      }
      case 'event':
        return attrs[attrs.length - 1] === org || anyVersion(history, (v) => v.mspId === org);
      case 'aggregation':
        return anyVersion(history, (v) => v.packedBy === org || v.updatedBy === org);
      case 'recall': {
        if (anyVersion(history, (v) => v.declaredBy === org)) return true;
        const lots = new Set<string>();
        for (const h of history)
          for (const a of (h.value as { affected?: Array<{ gtin: string; lotCode: string }> } | null)?.affected ?? []) lots.add(`${a.gtin}/${a.lotCode}`);
        for (const l of lots) {
          const i = l.indexOf('/');
          if ((await lotTraceOrNone(l.slice(0, i), l.slice(i + 1), org)) !== undefined) return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  /**
   * Whether `org` may see a transaction of `block` (rule `transaction`): a
   * configuration or consortium transaction every member (membership is common
   * knowledge); any other its creator, and every member that may read a fact
   * it wrote (a record key of FACT_TYPES, by historyVisible). Master data and
   * indexes written along with them grant nothing by themselves.
   */
  async function transactionVisible(block: Pick<LedgerBlock, 'raw'>, tx: LedgerTransaction, org: string): Promise<boolean> {
    if (tx.type === 'CONFIG' || tx.creatorMspId === org) return true;
    if (tx.event?.name === CONSORTIUM_EVENT_NAME || tx.args[0]?.startsWith(`${CONTRACT.consortium}:`)) return true;
    const keys = [...new Set(transactionWrites(block, tx.index).map((w) => w.key))].filter((k) => FACT_TYPES.has(k.split('~')[0]));
    for (const key of keys) {
      const history = HISTORY_DECIDES.has(key.split('~')[0]) ? ((await read(QUERY.GetHistory, key)) as { history: Array<{ value?: unknown }> }).history : [];
      if (await historyVisible(key, history, org)) return true;
    }
    return false;
  }

  /** Whether `org` may see every transaction of `block` (what its raw bytes reveal). */
  async function blockVisible(block: Pick<LedgerBlock, 'raw' | 'transactions'>, org: string): Promise<boolean> {
    for (const tx of block.transactions) if (!(await transactionVisible(block, tx, org))) return false;
    return true;
  }

  /** As lotTrace, with a lot that does not exist (or a malformed key) as invisible. */
  async function lotTraceOrNone(gtin: string | undefined, lotCode: string | undefined, org: string): Promise<LotTrace | undefined> {
    if (!gtin || !lotCode) return undefined;
    try {
      return await lotTrace(gtin, lotCode, org);
    } catch (err) {
      if ((err as { httpStatus?: number }).httpStatus === 404) return undefined;
      throw err;
    }
  }

  return { lotTrace, historyVisible, transactionVisible, blockVisible, own };
}

export type RecordVisibility = ReturnType<typeof createRecordVisibility>;
