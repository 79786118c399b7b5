/** Recall workspace: scope, affected holdings, declaration (role permitting), FSMA 204 download, status. */
import { useEffect, useState } from 'preact/hooks';
import { download, gateway, index } from '../lib/api';
import { parseSearch } from '../lib/gs1';
import { canDeclareRecall } from '../lib/roles';

interface Scope {
  roots: Array<{ gtin: string; lot_code: string }>;
  affectedLots: any[];
  holdings: any[];
  locations: any[];
}

export function RecallView({ roles }: { roles: string[] }) {
  const [by, setBy] = useState<'lot' | 'product'>('lot');
  const [lots, setLots] = useState('');
  const [gtin, setGtin] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [scope, setScope] = useState<Scope>();
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();
  const [recalls, setRecalls] = useState<any[]>([]);
  const [reason, setReason] = useState('');
  const [recallId, setRecallId] = useState(`RC-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`);

  const loadRecalls = () =>
    index<{ recalls: any[] }>('/recalls?limit=50').then(
      (r) => setRecalls(r.recalls),
      () => undefined,
    );
  useEffect(() => void loadRecalls(), []);

  const lotList = () =>
    lots
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((s) => {
        const t = parseSearch(s);
        if (t.kind !== 'lot') throw new Error(`"${s}" is not a lot (GTIN/lot or a Digital Link)`);
        return `${t.gtin}/${t.lotCode}`;
      });
  const query = () =>
    by === 'lot' ? `lot=${encodeURIComponent(lotList().join(','))}` : `gtin=${gtin}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const tlcs = () => (scope ? [...new Set(scope.affectedLots.map((l) => `${l.gtin}/${l.lot_code}`))].join(',') : '');

  const doScope = async (ev: Event) => {
    ev.preventDefault();
    setError(undefined);
    try {
      setScope(await index<Scope>(`/recalls/scope?${query()}`));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const declare = async (ev: Event) => {
    ev.preventDefault();
    if (!scope) return;
    setError(undefined);
    try {
      const r = await gateway<any>('/recalls', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': recallId },
        body: JSON.stringify({ recallId, reason, includeDescendants: true, lots: scope.roots.map((l) => ({ gtin: l.gtin, lotCode: l.lot_code })) }),
      });
      setNote(`Recall ${recallId} declared: transaction ${r.txId ?? r.result?.txId ?? ''}`);
      setTimeout(loadRecalls, 1500);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const fsma = (format: 'csv' | 'xlsx') =>
    download(
      `/console/api/index/fsma/export?format=${format}&tlc=${encodeURIComponent(tlcs())}`,
      `fsma204-${scope?.roots.map((r) => r.lot_code).join('-')}.${format}`,
    ).then(
      () => setNote(`FSMA 204 ${format.toUpperCase()} downloaded`),
      (e: Error) => setError(e.message),
    );

  return (
    <main id="main" aria-labelledby="recall-title">
      <h2 id="recall-title">Recall workspace</h2>
      <form onSubmit={doScope} class="stack">
        <fieldset>
          <legend>Scope by</legend>
          <label>
            <input type="radio" name="by" checked={by === 'lot'} onChange={() => setBy('lot')} /> lot
          </label>
          <label>
            <input type="radio" name="by" checked={by === 'product'} onChange={() => setBy('product')} /> product and period
          </label>
        </fieldset>
        {by === 'lot' ? (
          <>
            <label for="recall-lots">Lots (GTIN/lot or Digital Link, separated by commas)</label>
            <input id="recall-lots" value={lots} onInput={(e) => setLots((e.target as HTMLInputElement).value)} required />
          </>
        ) : (
          <>
            <label for="recall-gtin">GTIN</label>
            <input id="recall-gtin" value={gtin} onInput={(e) => setGtin((e.target as HTMLInputElement).value)} required pattern="\d{14}" />
            <label for="recall-from">Commissioned from</label>
            <input id="recall-from" type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} required />
            <label for="recall-to">to</label>
            <input id="recall-to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} required />
          </>
        )}
        <button type="submit">Show the scope</button>
      </form>
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {note && (
        <p aria-live="polite" class="good" data-testid="recall-note">
          {note}
        </p>
      )}
      {scope && (
        <section aria-labelledby="scope-title" data-testid="scope">
          <h3 id="scope-title">
            {scope.affectedLots.length} affected lots, {scope.holdings.length} holdings at {scope.locations.length} locations
          </h3>
          <table>
            <caption>Holdings still on hand</caption>
            <thead>
              <tr>
                <th scope="col">Lot</th>
                <th scope="col">Location</th>
                <th scope="col">Quantity</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {scope.holdings.map((h, i) => (
                <tr key={i}>
                  <td>
                    {h.gtin}/{h.lot_code}
                  </td>
                  <td>{h.location_name ?? h.gln}</td>
                  <td>{Number(h.quantity)}</td>
                  <td>
                    <code>{String(h.tx_id).slice(0, 12)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="toolbar">
            <button type="button" onClick={() => fsma('xlsx')}>
              Download FSMA 204 spreadsheet (XLSX)
            </button>
            <button type="button" onClick={() => fsma('csv')}>
              Download as CSV
            </button>
          </div>
          {canDeclareRecall(roles) && (
            <form onSubmit={declare} class="stack" data-testid="declare">
              <h3>Declare the recall</h3>
              <label for="recall-id">Recall id</label>
              <input id="recall-id" value={recallId} onInput={(e) => setRecallId((e.target as HTMLInputElement).value)} required />
              <label for="recall-reason">Reason</label>
              <input id="recall-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} required />
              <button type="submit" class="danger">
                Declare recall on the ledger
              </button>
            </form>
          )}
        </section>
      )}
      <section aria-labelledby="status-title">
        <h3 id="status-title">Recalls declared</h3>
        <table data-testid="recalls">
          <thead>
            <tr>
              <th scope="col">Recall</th>
              <th scope="col">Declared</th>
              <th scope="col">Reason</th>
              <th scope="col">Lots</th>
              <th scope="col">Affected lots</th>
              <th scope="col">Status</th>
              <th scope="col">Transaction</th>
            </tr>
          </thead>
          <tbody>
            {recalls.map((r) => (
              <tr key={r.recall_id}>
                <td>{r.recall_id}</td>
                <td>
                  {new Date(r.declared_at).toLocaleString()} by {r.declared_by}
                </td>
                <td>{r.reason}</td>
                <td>{(r.lots ?? []).map((l: any) => `${l.gtin}/${l.lotCode ?? l.lot_code}`).join(', ')}</td>
                <td>{Array.isArray(r.affected) ? r.affected.length : ''}</td>
                <td>
                  {r.holdings_now === 0
                    ? 'cleared: no affected stock on hand'
                    : `${r.holdings_now} holdings still on hand (${r.holdings_at_declaration} at declaration)`}
                </td>
                <td>
                  <code>{String(r.tx_id).slice(0, 12)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
