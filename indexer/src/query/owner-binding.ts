/**
 * Whose tokens an indexer serves. An auditor's indexer serves every member,
 * each answer scoped to the token's organisation. A member's indexer serves
 * only its own organisation (403 ORG_MISMATCH naming both otherwise, as a
 * gateway does), and no caller there sees everything: its database holds
 * every public fact its peer holds, so a token of the owner that carries the
 * `auditor` role is refused as well (403 AUDITOR_ON_MEMBER_INDEXER).
 */
import { bindToOrganisation, ServiceError, type JwtVerifier } from '../../../lib/platform/src';
import type { IndexerConfig, OwnerRole } from '../config';

export interface OwnerBinding {
  /** The owner's organisation (the MSP of the indexer's Fabric identity). */
  org: string;
  role: OwnerRole;
  /** The token claim naming the organisation, for messages. */
  claim: string;
  /** Refuse tokens that name no organisation; otherwise they count as the owner's. */
  required: boolean;
}

/** `verifier` as the indexer of `owner` accepts tokens: unchanged for an auditor's indexer. */
export function bindToOwner(verifier: JwtVerifier, owner: OwnerBinding): JwtVerifier {
  if (owner.role === 'auditor') return verifier;
  const bound = bindToOrganisation(verifier, { org: owner.org, claim: owner.claim, required: owner.required, service: 'indexer' });
  return {
    async verify(token) {
      const principal = await bound.verify(token);
      if (principal.roles.includes('auditor')) {
        throw new ServiceError({
          code: 'AUDITOR_ON_MEMBER_INDEXER',
          message: `this indexer belongs to the member ${owner.org} and serves its own view only; the auditor role reads at an auditor's indexer`,
          httpStatus: 403,
        });
      }
      return principal;
    },
  };
}

/** The binding of an indexer's configuration: its Fabric identity's MSP, its owner role and the token settings. */
export function ownerBinding(config: Pick<IndexerConfig, 'ownerRole' | 'ledger' | 'auth'>): OwnerBinding {
  return { org: config.ledger.mspId, role: config.ownerRole, claim: config.auth.orgClaim || 'org', required: config.auth.requireOrg ?? false };
}

/** What the outbox relay of an indexer publishes: a member's view, or everything (undefined) for an auditor's. */
export function ownerView(config: Pick<IndexerConfig, 'ownerRole' | 'ledger' | 'topicPrefix'>): { org: string; prefix: string } | undefined {
  return config.ownerRole === 'member' ? { org: config.ledger.mspId, prefix: config.topicPrefix } : undefined;
}
