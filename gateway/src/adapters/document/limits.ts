/**
 * Bounds on what one document may ask of the ledger: how many transactions it
 * maps to and how many lines one transaction carries. The rate limiter is
 * charged for every transaction beyond the first (the HTTP request already
 * took one token), so a 500-item document costs the client what 500
 * requests cost: its next requests wait until the bucket refills.
 */
import { httpError, type RateLimiter } from '../../../../lib/platform/src';
import type { DocumentCommand } from './document-runner';

export interface DocumentLimits {
  /** Ledger transactions one document may produce. */
  maxTransactions: number;
  /** Lines one transaction may carry (the chaincode's own bound is 500). */
  maxLinesPerTransaction: number;
  /** Document items booked together in one ledger transaction (SubmitBatch; the chaincode's bound is 500). */
  maxItemsPerTransaction: number;
}

export const DEFAULT_LIMITS: DocumentLimits = { maxTransactions: 1000, maxLinesPerTransaction: 500, maxItemsPerTransaction: 100 };

/** Throws 413 naming the cap when a document is too big, then charges the rate limiter. */
export function limitDocument(commands: DocumentCommand[], o: Partial<DocumentLimits> & { limiter?: RateLimiter; clientId: string; what: string }): void {
  const lim = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as DocumentLimits;
  if (commands.length > lim.maxTransactions) {
    throw httpError(
      413,
      'DOCUMENT_TOO_LARGE',
      `the ${o.what} maps to ${commands.length} ledger transactions; at most ${lim.maxTransactions} (maxTransactions) are accepted per document`,
      {
        errors: [{ field: 'body', message: `maps to ${commands.length} ledger transactions, over the cap of ${lim.maxTransactions}` }],
      },
    );
  }
  for (const c of commands) {
    const lines = ['lines', 'inputs', 'outputs'].reduce((n, k) => n + (Array.isArray(c.cmd.body[k]) ? (c.cmd.body[k] as unknown[]).length : 0), 0);
    if (lines > lim.maxLinesPerTransaction) {
      throw httpError(
        413,
        'DOCUMENT_TOO_LARGE',
        `${c.items[0]} carries ${lines} lines in one ledger transaction; at most ${lim.maxLinesPerTransaction} (maxLinesPerTransaction)`,
        {
          errors: [{ field: c.items[0], message: `carries ${lines} lines, over the cap of ${lim.maxLinesPerTransaction}` }],
        },
      );
    }
  }
  o.limiter?.charge(o.clientId, commands.length - 1);
}
