/**
 * A lot's genealogy (the indexer's /lots/{gtin}/{lot}/genealogy answer) as a
 * graph: lots and locations are nodes; commissioning, transformations,
 * holdings and shipments (custody handoffs) are edges. Every node and edge
 * keeps the ledger transactions that established it.
 */
export interface Genealogy {
  root: string;
  lots: any[];
  lineage: Array<{ parent: string; child: string; tx_id: string; block_number: string }>;
  holdings: Array<{ lot: string; gln: string; quantity: string; tx_id: string; block_number: string }>;
  shipments: any[];
  custody: any[];
  locations: any[];
  movements: any[];
}

export interface GNode {
  id: string;
  kind: 'lot' | 'origin-lot' | 'location' | 'farm';
  label: string;
  detail: string;
  txIds: string[];
}

export interface GEdge {
  id: string;
  source: string;
  target: string;
  kind: 'commissioned' | 'transformed' | 'holds' | 'shipment';
  label: string;
  txIds: string[];
}

const uniq = (xs: Array<string | null | undefined>) => [...new Set(xs.filter((x): x is string => !!x))];

export function genealogyGraph(g: Genealogy): { nodes: GNode[]; edges: GEdge[] } {
  const loc = new Map(g.locations.map((l) => [l.gln, l]));
  const locName = (gln: string) => loc.get(gln)?.name ?? gln;
  const nodes = new Map<string, GNode>();
  const edges: GEdge[] = [];
  const hasParent = new Set(g.lineage.map((l) => l.child));
  const movesByLot = new Map<string, string[]>();
  for (const m of g.movements) movesByLot.set(`${m.gtin}/${m.lot_code}`, [...(movesByLot.get(`${m.gtin}/${m.lot_code}`) ?? []), m.tx_id]);
  const locationNode = (gln: string, farm = false) => {
    const id = `loc:${gln}`;
    if (!nodes.has(id)) {
      const l = loc.get(gln);
      nodes.set(id, {
        id,
        kind: farm ? 'farm' : 'location',
        label: locName(gln),
        detail: `${l?.location_type ?? 'location'} · GLN ${gln}${l?.address?.country ? ` · ${l.address.country}` : ''} · ${l?.owner_msp ?? ''}`,
        txIds: uniq([l?.tx_id]),
      });
    }
    return id;
  };
  for (const lot of g.lots) {
    const key = `${lot.gtin}/${lot.lot_code}`;
    const origin = !hasParent.has(key);
    const o = lot.origin ?? {};
    const originText = origin && lot.origin ? ` · origin ${[o.farm, o.cooperative, o.country, o.plot, o.icoMark].filter(Boolean).join(', ')}` : '';
    const certs = lot.certificates?.length ? ` · certificates ${lot.certificates.join(', ')}` : '';
    nodes.set(`lot:${key}`, {
      id: `lot:${key}`,
      kind: origin ? 'origin-lot' : 'lot',
      label: `${lot.description ?? lot.gtin}\n${lot.lot_code}`,
      detail: `lot ${key} · ${lot.status}${originText}${certs}${lot.recall_ids?.length ? ` · recalled (${lot.recall_ids.join(', ')})` : ''}`,
      txIds: uniq([lot.tx_id, ...(movesByLot.get(key) ?? [])]),
    });
    if (origin) {
      const farm = locationNode(lot.commissioned_gln, true);
      edges.push({ id: `c:${key}`, source: farm, target: `lot:${key}`, kind: 'commissioned', label: 'commissioned', txIds: [lot.tx_id] });
    }
  }
  for (const l of g.lineage) {
    if (!nodes.has(`lot:${l.parent}`) || !nodes.has(`lot:${l.child}`)) continue;
    edges.push({
      id: `t:${l.parent}>${l.child}`,
      source: `lot:${l.parent}`,
      target: `lot:${l.child}`,
      kind: 'transformed',
      label: 'transformed',
      txIds: [l.tx_id],
    });
  }
  for (const h of g.holdings) {
    const unit = g.lots.find((x) => `${x.gtin}/${x.lot_code}` === h.lot)?.unit ?? '';
    edges.push({
      id: `h:${h.lot}@${h.gln}`,
      source: `lot:${h.lot}`,
      target: locationNode(h.gln),
      kind: 'holds',
      label: `${Number(h.quantity)} ${unit} on hand`,
      txIds: [h.tx_id],
    });
  }
  const byShipment = new Map<string, any[]>();
  for (const s of g.shipments) byShipment.set(s.shipment_id, [...(byShipment.get(s.shipment_id) ?? []), s]);
  for (const [id, lines] of byShipment) {
    const s = lines[0];
    const custody = g.custody.filter((c) => c.shipment_id === id);
    const qty = lines
      .map(
        (l) =>
          `${Number(l.quantity)} of ${l.lot_code}${l.received != null && Number(l.received) !== Number(l.quantity) ? ` (received ${Number(l.received)})` : ''}`,
      )
      .join(', ');
    edges.push({
      id: `s:${id}`,
      source: locationNode(s.from_gln),
      target: locationNode(s.to_gln),
      kind: 'shipment',
      label: `${id}: ${qty} · ${s.status}${s.has_discrepancy ? ' · discrepancy' : ''}`,
      txIds: uniq([s.tx_id, ...custody.map((c) => c.tx_id)]),
    });
  }
  return { nodes: [...nodes.values()], edges };
}

/** A synthetic genealogy of about `n` nodes (for the render benchmark): origin lots fanning into blends and their holdings. */
export function syntheticGenealogy(n: number): Genealogy {
  const tx = (i: number) => i.toString(16).padStart(64, '0');
  const lots: any[] = [];
  const lineage: Genealogy['lineage'] = [];
  const holdings: Genealogy['holdings'] = [];
  const locations: any[] = [];
  const farms = Math.max(1, Math.floor(n / 10));
  for (let i = 0; i < farms; i++) locations.push({ gln: `F${i}`, name: `Farm ${i}`, location_type: 'farm', tx_id: tx(i) });
  const lotCount = Math.floor(n * 0.6);
  for (let i = 0; i < lotCount; i++) {
    lots.push({ gtin: '00000000000000', lot_code: `L${i}`, status: 'active', commissioned_gln: `F${i % farms}`, tx_id: tx(1000 + i), certificates: [] });
    if (i >= farms)
      lineage.push({ parent: `00000000000000/L${Math.floor((i - farms) / 2)}`, child: `00000000000000/L${i}`, tx_id: tx(5000 + i), block_number: String(i) });
  }
  const stores = n - farms - lotCount;
  for (let i = 0; i < stores; i++) {
    locations.push({ gln: `S${i}`, name: `Store ${i}`, location_type: 'store', tx_id: tx(9000 + i) });
    holdings.push({
      lot: `00000000000000/L${lotCount - 1 - (i % Math.max(1, lotCount - farms))}`,
      gln: `S${i}`,
      quantity: '1',
      tx_id: tx(9500 + i),
      block_number: '1',
    });
  }
  return { root: '00000000000000/L0', lots, lineage, holdings, shipments: [], custody: [], locations, movements: [] };
}
