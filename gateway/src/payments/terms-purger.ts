/**
 * Retention of orders' private terms: on a schedule (TERMS_PURGE_CRON), asks
 * this organisation's peer which of its orders are past their retention
 * (ListExpiredTerms) and purges them with PurgeExpiredTerms, one transaction
 * per counterparty, endorsed by both parties' peers (a purge writes to both
 * parties' implicit collections). The terms leave both peers' private stores;
 * the order and its terms hash stay on the channel.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { LedgerClient } from '../../../lib/fabric/src';
import { CONTRACT, QUERY, TX } from '../../../lib/domain/src';
import type { EndorsementResolver } from '../submission/endorsement';

export interface TermsPurgerOptions {
  ledger: LedgerClient;
  endorsement: EndorsementResolver;
  logger?: Logger;
  /** Cron pattern of the scheduled run; none: only {@link TermsPurger.runOnce}. */
  cron?: string;
  /** Orders purged per transaction (at most 100). Default 50. */
  batchSize?: number;
}

export interface PurgeRun {
  purged: string[];
  txIds: string[];
  failed: { counterpartyMsp: string; poIds: string[]; error: string }[];
}

export interface TermsPurger {
  /** One pass: purges every order of this organisation whose terms are past their retention. */
  runOnce(): Promise<PurgeRun>;
  start(): void;
  stop(): Promise<void>;
}

interface Expired {
  poId: string;
  counterpartyMsp: string;
}

export function createTermsPurger(opts: TermsPurgerOptions): TermsPurger {
  const batchSize = Math.min(opts.batchSize ?? 50, 100);
  let job: Cron | undefined;
  let running: Promise<PurgeRun> | undefined;

  async function pass(): Promise<PurgeRun> {
    const out = await opts.ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.ListExpiredTerms, args: ['1000'] });
    const { orders } = JSON.parse(out.toString('utf8')) as { orders: Expired[] };
    const byCounterparty = new Map<string, string[]>();
    for (const o of orders) byCounterparty.set(o.counterpartyMsp, [...(byCounterparty.get(o.counterpartyMsp) ?? []), o.poId]);
    const run: PurgeRun = { purged: [], txIds: [], failed: [] };
    for (const [counterpartyMsp, poIds] of byCounterparty) {
      for (let i = 0; i < poIds.length; i += batchSize) {
        const batch = poIds.slice(i, i + batchSize);
        try {
          const endorsingOrgs = await opts.endorsement.resolve({ kind: 'orgs', orgs: [opts.ledger.mspId, counterpartyMsp] });
          // The same orders give the same eventId, so a pass repeated after an unknown outcome is a replay.
          const eventId = `purge:${counterpartyMsp}:${batch[0]}:${batch.length}:${batch[batch.length - 1]}`;
          const res = await opts.ledger.submit({
            contract: CONTRACT.traceability,
            fn: TX.PurgeExpiredTerms,
            args: [JSON.stringify({ eventId, actor: 'terms-retention', poIds: batch })],
            endorsingOrgs,
          });
          const result = JSON.parse(res.payload.toString('utf8')) as { purged: string[] };
          run.purged.push(...result.purged);
          run.txIds.push(res.txId);
        } catch (err) {
          run.failed.push({ counterpartyMsp, poIds: batch, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    if (run.purged.length > 0 || run.failed.length > 0) {
      opts.logger?.info({ purged: run.purged.length, failed: run.failed.length, txIds: run.txIds }, 'purged expired order terms');
    }
    for (const f of run.failed)
      opts.logger?.warn({ counterpartyMsp: f.counterpartyMsp, poIds: f.poIds, err: f.error }, 'purging order terms failed; the next run retries');
    return run;
  }

  function runOnce(): Promise<PurgeRun> {
    // One pass at a time: a scheduled run and an operator's run share it.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runOnce,
    start() {
      if (!opts.cron || job) return;
      job = new Cron(opts.cron, { protect: true }, () => {
        runOnce().catch((err: unknown) => opts.logger?.warn({ err: (err as Error).message }, 'order terms retention run failed'));
      });
    },
    async stop() {
      job?.stop();
      job = undefined;
      await running?.catch(() => undefined);
    },
  };
}
