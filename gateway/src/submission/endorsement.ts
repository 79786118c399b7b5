/**
 * Works out which organisations must endorse a custody transaction: the
 * sender's and receiver's orgs (the shipment key's own policy), or the orgs a
 * caller names (a payment's payee, named by its order's policy), plus as many
 * more as the chaincode's MAJORITY policy needs for the channel's members.
 * The members are the organisations discovery reports peers for, so the set
 * follows the channel, whatever its size.
 */
import { ServiceError } from '../../../lib/platform/src';
import type { LedgerClient } from '../../../lib/fabric/src';
import type { EndorsementHint } from './command';
import { latestRecord } from '../ledger-record';
import { CONTRACT, QUERY } from '../../../lib/domain/src';

export interface EndorsementResolver {
  resolve(hint: EndorsementHint | undefined): Promise<string[] | undefined>;
}

function notFound(what: string, field: string): ServiceError {
  return new ServiceError({ code: 'NOT_FOUND', message: `${what} not found`, httpStatus: 422, details: { field } });
}

export function createEndorsementResolver(deps: { ledger: LedgerClient; contract?: string }): EndorsementResolver {
  const contract: string = deps.contract ?? CONTRACT.traceability;
  // A location's owner never changes, so owners are cached for the process lifetime (bounded).
  const owners = new Map<string, string>();

  async function ownerOf(gln: string, field: string): Promise<string> {
    const cached = owners.get(gln);
    if (cached) return cached;
    const owner = (await latestRecord<{ ownerMsp?: string }>(deps.ledger, `location~${gln}`, contract))?.value.ownerMsp;
    if (!owner) throw notFound(`location ${gln}`, field);
    if (owners.size > 10_000) owners.clear();
    owners.set(gln, owner);
    return owner;
  }

  function withMajority(orgs: string[]): string[] {
    const parties = [...new Set(orgs)];
    const members = [...new Set([deps.ledger.mspId, ...deps.ledger.peers().map((p) => p.mspId)])].sort();
    const needed = Math.floor(members.length / 2) + 1;
    // Parties first (the key-level policy needs them), then our own org, then the others in a stable order.
    const pick = [...parties];
    for (const m of [deps.ledger.mspId, ...members]) {
      if (pick.length >= Math.max(needed, parties.length)) break;
      if (!pick.includes(m)) pick.push(m);
    }
    if (pick.length < needed) {
      throw new ServiceError({
        code: 'LEDGER_UNAVAILABLE',
        message: `a majority of ${needed} organisations is needed to endorse, only ${pick.length} are reachable`,
        httpStatus: 503,
        retriable: true,
      });
    }
    return pick.sort();
  }

  return {
    async resolve(hint) {
      if (!hint) return undefined;
      if (hint.kind === 'orgs') return withMajority(hint.orgs);
      if (hint.kind === 'parties') {
        return withMajority([await ownerOf(hint.fromGln, 'fromGln'), await ownerOf(hint.toGln, 'toGln')]);
      }
      const out = await deps.ledger.evaluate({ contract, fn: QUERY.GetShipment, args: [hint.shipmentId] });
      const { shipment } = JSON.parse(out.toString('utf8')) as { shipment: { senderMsp: string; receiverMsp: string } };
      return withMajority([shipment.senderMsp, shipment.receiverMsp]);
    },
  };
}
