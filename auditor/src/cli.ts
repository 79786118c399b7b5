/**
 * The auditor's command line, reading from the auditor organisation's own peer
 * with the FABRIC_* connection settings (profile, identity, channel):
 *
 *   npm run auditor -- provenance <gtin> <lotCode> [--json]
 *   npm run auditor -- prove <txId> [--json]
 *   npm run auditor -- check-indexer <gtin> <lotCode> --indexer http://127.0.0.1:7910
 *
 * Exits 1 when any proof fails, printing each problem.
 */
import { parseArgs } from 'node:util';
import { connectLedger, createProvenanceService, loadLedgerConfig, type TransactionProof } from '../../lib/fabric/src';
import { checkIndexedTrace, type IndexedTrace } from './indexer-check';

const USAGE = 'usage: auditor provenance <gtin> <lotCode> | prove <txId> | check-indexer <gtin> <lotCode> --indexer URL  [--json]';

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2);

function proofLine(p: TransactionProof): string {
  const sigs = p.signatures.map((s) => `${s.role} ${s.mspId} ${s.valid ? 'ok' : 'BAD'}`).join(', ');
  return `${p.ok ? 'OK  ' : 'FAIL'} tx ${p.txId} block ${p.blockNumber} ${p.validationCode}; ${sigs}; linked to block ${p.linkedTo}${p.ok ? '' : `\n     ${p.problems.join('\n     ')}`}`;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, indexer: { type: 'string' }, token: { type: 'string' } },
  });
  const [cmd, a, b] = positionals;
  if (!cmd) {
    console.error(USAGE);
    return 2;
  }
  const ledger = await connectLedger(loadLedgerConfig());
  const service = createProvenanceService({ ledger });
  try {
    if (cmd === 'prove' && a) {
      const p = await service.proveTransaction(a);
      console.log(values.json ? json(p) : proofLine(p));
      return p.ok ? 0 : 1;
    }
    if (cmd === 'provenance' && a && b) {
      const p = await service.lotProvenance({ gtin: a, lotCode: b });
      if (values.json) console.log(json(p));
      else {
        for (const l of p.lots) {
          const held = l.onHand.map((h) => `${h.quantity} at ${h.gln}`).join(', ') || 'none on hand';
          console.log(`${l.direction.padEnd(10)} ${l.gtin}/${l.lotCode}: ${held}; ${l.txIds.length} transaction(s)`);
        }
        for (const proof of p.proofs) console.log(proofLine(proof));
        console.log(p.ok ? `all ${p.proofs.length} transactions proven against the channel's MSPs up to block ${p.tip}` : 'PROOF FAILED');
      }
      return p.ok ? 0 : 1;
    }
    if (cmd === 'check-indexer' && a && b && values.indexer) {
      // The query API wants a bearer token with the auditor role (--token or INDEXER_TOKEN).
      const token = values.token ?? process.env.INDEXER_TOKEN;
      const res = await fetch(`${values.indexer.replace(/\/$/, '')}/lots/${encodeURIComponent(a)}/${encodeURIComponent(b)}/trace/downstream`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      if (!res.ok) throw new Error(`the indexer answered ${res.status}`);
      const check = await checkIndexedTrace(service, (await res.json()) as IndexedTrace);
      if (values.json) console.log(json(check));
      else
        for (const f of check.findings)
          console.log(`${f.ok ? 'OK  ' : 'FAIL'} ${f.kind} ${f.subject} (tx ${f.txId})${f.ok ? '' : `\n     ${f.problems.join('\n     ')}`}`);
      if (!check.ok) console.error('THE INDEXER DISAGREES WITH THE LEDGER');
      return check.ok ? 0 : 1;
    }
    console.error(USAGE);
    return 2;
  } finally {
    ledger.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`auditor: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
