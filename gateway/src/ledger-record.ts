/**
 * The latest version of a world-state record, read through the chaincode's
 * GetHistory: its value and the transaction that wrote it (undefined when the
 * key was never written, or only deleted).
 */
import type { LedgerClient } from '../../lib/fabric/src';
import { CONTRACT, QUERY } from '../../lib/domain/src';

export async function latestRecord<T>(
  ledger: LedgerClient,
  key: string,
  contract: string = CONTRACT.traceability,
): Promise<{ value: T; txId: string } | undefined> {
  const out = await ledger.evaluate({ contract, fn: QUERY.GetHistory, args: [key] });
  const { history } = JSON.parse(out.toString('utf8')) as { history: Array<{ value?: T | null; txId: string }> };
  const last = history.filter((h) => h.value).at(-1);
  return last ? { value: last.value as T, txId: last.txId } : undefined;
}
