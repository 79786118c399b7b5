/**
 * Works out which organisations must endorse a custody transaction: the
 * sender's and receiver's orgs (the shipment key's own policy), plus one more
 * when both are the same org, because the chaincode policy is MAJORITY of 3.
 */
import { ServiceError } from '../errors';
import type { LedgerClient } from '../../../ledger/src';
import type { EndorsementHint } from './command';

export interface EndorsementResolver {
  resolve(hint: EndorsementHint | undefined): Promise<string[] | undefined>;
}

function notFound(what: string, field: string): ServiceError {
  return new ServiceError({ code: 'NOT_FOUND', message: `${what} not found`, httpStatus: 422, details: { field } });
}

export function createEndorsementResolver(deps: { ledger: LedgerClient; contract?: string }): EndorsementResolver {
  const contract = deps.contract ?? 'traceability';
  // A location's owner never changes, so owners are cached for the process lifetime (bounded).
  const owners = new Map<string, string>();

  async function ownerOf(gln: string, field: string): Promise<string> {
    const cached = owners.get(gln);
    if (cached) return cached;
    const out = await deps.ledger.evaluate({ contract, fn: 'GetHistory', args: [`location~${gln}`] });
    const history = (JSON.parse(out.toString('utf8')) as { history: Array<{ value?: { ownerMsp?: string } }> }).history;
    const owner = history.map((h) => h.value?.ownerMsp).filter(Boolean).pop();
    if (!owner) throw notFound(`location ${gln}`, field);
    if (owners.size > 10_000) owners.clear();
    owners.set(gln, owner);
    return owner;
  }

  function withMajority(orgs: string[]): string[] {
    const set = [...new Set(orgs)];
    if (set.length >= 2) return set.sort();
    const others = [deps.ledger.mspId, ...deps.ledger.peers().map((p) => p.mspId).sort()].filter((m) => m !== set[0]);
    if (others.length === 0) {
      throw new ServiceError({ code: 'LEDGER_UNAVAILABLE', message: 'no second organisation is reachable to endorse', httpStatus: 503, retriable: true });
    }
    return [set[0], others[0]].sort();
  }

  return {
    async resolve(hint) {
      if (!hint) return undefined;
      if (hint.kind === 'parties') {
        return withMajority([await ownerOf(hint.fromGln, 'fromGln'), await ownerOf(hint.toGln, 'toGln')]);
      }
      const out = await deps.ledger.evaluate({ contract, fn: 'GetShipment', args: [hint.shipmentId] });
      const { shipment } = JSON.parse(out.toString('utf8')) as { shipment: { senderMsp: string; receiverMsp: string } };
      return withMajority([shipment.senderMsp, shipment.receiverMsp]);
    },
  };
}
