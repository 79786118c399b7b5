/** Trace: search, the genealogy as a graph and as a timeline, transactions proven in the browser. */
import { useState } from 'preact/hooks';
import { index } from '../lib/api';
import { genealogyGraph, type GEdge, type Genealogy, type GNode } from '../lib/genealogy';
import { parseSearch } from '../lib/gs1';
import { canProve } from '../lib/roles';
import { GenealogyView } from './genealogy-view';
import { ProofPanel, proveInBrowser } from './proof-panel';

interface Match {
  kind: string;
  id: string;
  lots: Array<{ gtin: string; lotCode: string }>;
  txIds?: string[];
}

export function TraceView({ roles }: { roles: string[] }) {
  const [q, setQ] = useState(new URLSearchParams(location.hash.split('?')[1] ?? '').get('q') ?? '');
  const [matches, setMatches] = useState<Match[]>();
  const [data, setData] = useState<{ g: Genealogy; graph: ReturnType<typeof genealogyGraph> }>();
  const [mode, setMode] = useState<'graph' | 'timeline'>('graph');
  const [selected, setSelected] = useState<GNode | GEdge>();
  const [proofOf, setProofOf] = useState<{ txId: string; n: number }>();
  // Every click verifies afresh, even the same transaction again.
  const setTxId = (txId: string | undefined) => setProofOf((p) => (txId ? { txId, n: (p?.n ?? 0) + 1 } : undefined));
  const [error, setError] = useState<string>();
  const [all, setAll] = useState<string>();

  const openLot = async (gtin: string, lotCode: string) => {
    setError(undefined);
    setSelected(undefined);
    setTxId(undefined);
    setAll(undefined);
    try {
      const g = await index<Genealogy>(`/lots/${gtin}/${encodeURIComponent(lotCode)}/genealogy`);
      setData({ g, graph: genealogyGraph(g) });
    } catch (e) {
      setData(undefined);
      setError((e as Error).message);
    }
  };
  const search = async (ev: Event) => {
    ev.preventDefault();
    setMatches(undefined);
    const t = parseSearch(q);
    if (t.kind === 'lot') return openLot(t.gtin, t.lotCode);
    try {
      const r = await index<{ matches: Match[] }>(`/search?q=${encodeURIComponent(t.q)}`);
      setMatches(r.matches);
      if (r.matches.length === 1 && r.matches[0].lots.length === 1) await openLot(r.matches[0].lots[0].gtin, r.matches[0].lots[0].lotCode);
      if (r.matches.length === 0) setError(`nothing on the ledger matches "${t.q}"`);
      else if (r.matches.every((m) => m.lots.length === 0)) setError(`${r.matches.map((m) => `${m.kind} ${m.id}`).join(', ')}: no lot is recorded against it`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const proveAll = async () => {
    if (!data) return;
    const ids = [...new Set([...data.graph.nodes, ...data.graph.edges].flatMap((x) => x.txIds))];
    setAll(`verifying ${ids.length} transactions…`);
    const t0 = performance.now();
    const results = [];
    for (const id of ids) results.push(await proveInBrowser(id));
    const failed = results.filter((r) => !r.ok);
    setAll(
      `${results.length - failed.length} of ${results.length} transactions verified in this browser in ${(performance.now() - t0).toFixed(0)} ms${failed.length ? `; FAILED: ${failed.map((f) => f.txId.slice(0, 12)).join(', ')}` : ''}`,
    );
  };

  return (
    <main id="main" aria-labelledby="trace-title">
      <h2 id="trace-title">Trace</h2>
      <form onSubmit={search} class="search" role="search">
        <label for="trace-q">Lot (GTIN/lot), GS1 Digital Link or barcode, SSCC, shipment, purchase order or transaction id</label>
        <input id="trace-q" name="q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} required autoComplete="off" />
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {matches && matches.flatMap((m) => m.lots).length > 1 && (
        <ul aria-label="Matches">
          {matches.flatMap((m) =>
            m.lots.map((l) => (
              <li key={`${m.id}-${l.gtin}-${l.lotCode}`}>
                {m.kind} {m.id}:{' '}
                <button type="button" class="link" onClick={() => openLot(l.gtin, l.lotCode)}>
                  {l.gtin}/{l.lotCode}
                </button>
              </li>
            )),
          )}
        </ul>
      )}
      {data && (
        <>
          <div class="toolbar" role="group" aria-label="Show the genealogy as">
            <button type="button" aria-pressed={mode === 'graph'} onClick={() => setMode('graph')}>
              Graph
            </button>
            <button type="button" aria-pressed={mode === 'timeline'} onClick={() => setMode('timeline')}>
              Timeline
            </button>
            {canProve(roles) && (
              <button type="button" onClick={proveAll}>
                Verify every transaction of this trace
              </button>
            )}
          </div>
          {all && (
            <p aria-live="polite" data-testid="prove-all">
              {all}
            </p>
          )}
          <p>
            Lot <strong>{data.g.root}</strong>: {data.g.lots.length} lots, {data.g.holdings.length} holdings,{' '}
            {new Set(data.g.shipments.map((s) => s.shipment_id)).size} shipments
          </p>
          {mode === 'graph' ? <GenealogyView graph={data.graph} onSelect={setSelected} /> : <Timeline g={data.g} onTx={setTxId} />}
          {selected && (
            <section class="selected" aria-labelledby="sel-title" data-testid="selected">
              <h3 id="sel-title">{selected.label.replace('\n', ' · ')}</h3>
              {'detail' in selected && <p>{selected.detail}</p>}
              <p>Ledger transactions:</p>
              <ul>
                {selected.txIds.map((t) => (
                  <li key={t}>
                    <code class="txid">{t}</code>{' '}
                    {canProve(roles) && (
                      <button type="button" onClick={() => setTxId(t)} aria-label={`Verify transaction ${t.slice(0, 12)} in this browser`}>
                        Verify
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {proofOf && <ProofPanel key={proofOf.n} txId={proofOf.txId} />}
        </>
      )}
    </main>
  );
}

function Timeline({ g, onTx }: { g: Genealogy; onTx: (t: string) => void }) {
  const name = (gln: string | null) => (gln ? (g.locations.find((l) => l.gln === gln)?.name ?? gln) : '');
  return (
    <table data-testid="timeline">
      <caption>Every stock movement of these lots, in event time</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Step</th>
          <th scope="col">Lot</th>
          <th scope="col">Where</th>
          <th scope="col">Change</th>
          <th scope="col">Transaction</th>
        </tr>
      </thead>
      <tbody>
        {g.movements.map((m, i) => (
          <tr key={i}>
            <td>{new Date(m.event_time).toLocaleString()}</td>
            <td>{m.biz_step}</td>
            <td>{m.lot_code}</td>
            <td>{m.position === 'in_transit' ? `in transit (${m.shipment_id})` : name(m.gln)}</td>
            <td>{Number(m.delta) > 0 ? `+${Number(m.delta)}` : Number(m.delta)}</td>
            <td>
              <button type="button" class="link" onClick={() => onTx(m.tx_id)} aria-label={`Verify transaction ${m.tx_id.slice(0, 12)}`}>
                {m.tx_id.slice(0, 12)}…
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
