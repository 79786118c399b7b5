/**
 * An order's commercial terms never travel in the transaction's arguments,
 * which every member's peer stores in the block: they go as transient data
 * "terms" with a random salt, the chaincode writes them to the buyer's and
 * the supplier's implicit collections, and the channel keeps their hash.
 * Writes to an organisation's implicit collection need that organisation's
 * endorsement, so the supplier's peer is named among the endorsers.
 *
 * Applied once, when a command is prepared (before an async submission is
 * stored), so every retry of it carries the same salt and the chaincode sees
 * the same request.
 */
import { randomBytes } from 'node:crypto';
import { TX } from '../../../lib/domain/src';
import type { PreparedCommand } from './command';

/** Seven years, the chaincode's own default when an order names none. */
export const DEFAULT_TERMS_RETENTION_SECONDS = 7 * 365 * 86_400;

export interface PrivateTermsOptions {
  /** How long the parties keep the terms before they may be purged, seconds (the order's `termsRetentionSeconds`). */
  retentionSeconds: number;
}

export function withPrivateTerms(cmd: PreparedCommand, opts: PrivateTermsOptions): PreparedCommand {
  if (cmd.fn !== TX.CreatePurchaseOrder || cmd.body.paymentTerms === undefined) return cmd;
  const { paymentTerms, ...body } = cmd.body;
  return {
    ...cmd,
    body: { ...body, termsRetentionSeconds: opts.retentionSeconds },
    transient: { ...cmd.transient, terms: { paymentTerms, salt: randomBytes(16).toString('hex') } },
    endorsement: typeof body.supplierMsp === 'string' ? { kind: 'orgs', orgs: [body.supplierMsp] } : cmd.endorsement,
  };
}

/** Transient data as the ledger client takes it. */
export function transientBuffers(cmd: { transient?: Record<string, Record<string, unknown>> }): Record<string, Buffer> | undefined {
  if (!cmd.transient) return undefined;
  return Object.fromEntries(Object.entries(cmd.transient).map(([name, value]) => [name, Buffer.from(JSON.stringify(value))]));
}
