/** Operations: stock by location with low-stock flags, shipments in transit and with discrepancies, purchase orders and payments. */
import { useEffect, useState } from 'preact/hooks';
import { index } from '../lib/api';

function useIndex<T>(p: string): [T | undefined, string | undefined] {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    // Only the answer for the current path is shown, however the requests finish.
    let current = true;
    void index<T>(p).then(
      (d) => current && setData(d),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [p]);
  return [data, error];
}

export function StockView() {
  const [stock, e1] = useIndex<{ items: any[] }>('/inventory?limit=500');
  const [low] = useIndex<{ items: any[] }>('/inventory/low-stock');
  const isLow = (r: any) => low?.items.some((l) => l.gln === r.gln && l.gtin === r.gtin);
  return (
    <main id="main" aria-labelledby="stock-title">
      <h2 id="stock-title">Stock by location</h2>
      {e1 && (
        <p role="alert" class="bad">
          {e1}
        </p>
      )}
      <table data-testid="stock">
        <thead>
          <tr>
            <th scope="col">Location</th>
            <th scope="col">Product</th>
            <th scope="col">Lot</th>
            <th scope="col">On hand</th>
            <th scope="col">Flag</th>
          </tr>
        </thead>
        <tbody>
          {stock?.items.map((r, i) => (
            <tr key={i} class={isLow(r) ? 'low' : ''}>
              <td>{r.location_name ?? r.warehouse_name ?? r.gln}</td>
              <td>{r.description ?? r.gtin}</td>
              <td>{r.lot_code}</td>
              <td>
                {Number(r.quantity)} {r.unit ?? ''}
              </td>
              <td>{isLow(r) ? <strong class="bad">low stock</strong> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

export function ShipmentsView() {
  const [all, error] = useIndex<{ shipments: any[] }>('/shipments?limit=200');
  const list = all?.shipments ?? [];
  const rows = (xs: any[]) =>
    xs.map((s) => (
      <tr key={s.shipment_id}>
        <td>{s.shipment_id}</td>
        <td>
          {s.from_name ?? s.from_gln} → {s.to_name ?? s.to_gln}
        </td>
        <td>{s.status}</td>
        <td>
          {s.lines
            .map(
              (l: any) =>
                `${Number(l.quantity)} ${l.lot_code}${l.received != null ? ` (received ${Number(l.received)}, damaged ${Number(l.damaged ?? 0)})` : ''}`,
            )
            .join('; ')}
        </td>
        <td>{s.has_discrepancy ? <strong class="bad">discrepancy</strong> : ''}</td>
        <td>
          <code>{s.tx_id.slice(0, 12)}…</code>
        </td>
      </tr>
    ));
  const head = (
    <thead>
      <tr>
        <th scope="col">Shipment</th>
        <th scope="col">Route</th>
        <th scope="col">Status</th>
        <th scope="col">Lines</th>
        <th scope="col">Discrepancy</th>
        <th scope="col">Last transaction</th>
      </tr>
    </thead>
  );
  return (
    <main id="main" aria-labelledby="ship-title">
      <h2 id="ship-title">Shipments</h2>
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      <table data-testid="in-transit">
        <caption>In transit</caption>
        {head}
        <tbody>{rows(list.filter((s) => s.status === 'dispatched'))}</tbody>
      </table>
      <table data-testid="discrepancies">
        <caption>Received with discrepancies</caption>
        {head}
        <tbody>{rows(list.filter((s) => s.has_discrepancy))}</tbody>
      </table>
    </main>
  );
}

export function OrdersView() {
  const [data, error] = useIndex<{ orders: any[] }>('/purchase-orders?limit=200');
  return (
    <main id="main" aria-labelledby="orders-title">
      <h2 id="orders-title">Purchase orders and payments</h2>
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      <table data-testid="orders">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Buyer → supplier</th>
            <th scope="col">Payment status</th>
            <th scope="col">Paid / due (base units)</th>
            <th scope="col">Payments (chain transfer → ledger transaction)</th>
          </tr>
        </thead>
        <tbody>
          {data?.orders.map((o) => (
            <tr key={o.po_id}>
              <td>{o.po_id}</td>
              <td>
                {o.buyer_msp} → {o.supplier_msp}
              </td>
              <td>{o.status}</td>
              {/* Empty when the terms are the parties' private data and this indexer's organisation is no party, or they were purged. */}
              <td>{o.amount_base_units == null ? 'private' : `${o.paid_base_units} / ${o.amount_base_units}`}</td>
              <td>
                {o.payments.map((p: any) => (
                  <div key={p.tx_hash}>
                    chain {p.chain_id} <code>{p.tx_hash.slice(0, 12)}…</code> → block {p.block_number} <code>{p.tx_id.slice(0, 12)}…</code>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
