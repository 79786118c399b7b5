/**
 * What every row of the visibility matrix works with: the network, the
 * scenario, the readers and the EPCIS events as projected (with who captured
 * them and which locations they name), plus a few helpers over the model.
 */
import { expect } from 'chai';
import { type readers } from './visibility-client';
import { AUDITOR, MEMBERS, READERS, type Reader, type VisibilityNet } from './visibility-devnet';
import { LOT_GRANT, LOT_PRODUCT, LOTS, OWNER, sees, SHIPMENT_PARTIES, SHIPMENTS, type LotName, type ShipmentName, type SiteName } from './visibility-model';
import type { Scenario } from './visibility-scenario';

export interface ProjectedEvent {
  eventId: string;
  capturer: string | null;
  glns: string[];
  bizLocation: string | null;
}

export interface Ctx {
  net: VisibilityNet;
  s: Scenario;
  r: ReturnType<typeof readers>;
  /** The EPCIS events of the repository. */
  events: ProjectedEvent[];
  /** Each reader's named query (created by the matrix). */
  queryName: Record<Reader, string>;
  /** Each reader's subscription id on its named query. */
  subscriptionId: Record<Reader, string>;
}

export type Row = (x: Ctx) => Promise<void>;

/** Runs `check` for every reader. */
export async function each(check: (reader: Reader) => Promise<void>): Promise<void> {
  for (const reader of READERS) await check(reader);
}

/** Asserts two id lists are the same set, naming the reader and what was read. */
export function same(reader: Reader, what: string, actual: Iterable<string>, expected: Iterable<string>): void {
  expect([...new Set(actual)].sort(), `${reader}: ${what}`).to.deep.equal([...new Set(expected)].sort());
}

export function model(s: Scenario) {
  const siteOf = (gln: string) => (Object.keys(s.gln) as SiteName[]).find((k) => s.gln[k] === gln);
  const lotOf = (gtin: string, lotCode: string) => LOTS.find((l) => s.lot[l] === lotCode && s.gtin[LOT_PRODUCT[l]] === gtin);
  return {
    siteOf,
    /** The reader's own locations' GLNs. */
    owned: (reader: Reader) => (Object.keys(s.gln) as SiteName[]).filter((k) => reader === AUDITOR || OWNER[k] === reader).map((k) => s.gln[k]),
    ownsGln: (reader: Reader, gln: string | null) => {
      const site = gln ? siteOf(gln) : undefined;
      return reader === AUDITOR || (site !== undefined && OWNER[site] === reader);
    },
    lotKey: (l: LotName) => `${s.gtin[LOT_PRODUCT[l]]}/${s.lot[l]}`,
    lotOf,
    visibleLots: (reader: Reader) => LOTS.filter((l) => sees(reader, LOT_GRANT[l])),
    visibleShipments: (reader: Reader) => SHIPMENTS.filter((x) => sees(reader, SHIPMENT_PARTIES[x])).map((x) => s.shipment[x]),
    shipmentName: (id: string) => SHIPMENTS.find((x: ShipmentName) => s.shipment[x] === id),
  };
}

/** An EPCIS event the reader may see: it captured it or owns a location it names. */
export function eventVisible(x: Ctx, reader: Reader, e: ProjectedEvent): boolean {
  if (reader === AUDITOR) return true;
  if (e.capturer === reader) return true;
  const m = model(x.s);
  return e.glns.some((g) => m.siteOf(g) !== undefined && m.ownsGln(reader, g));
}

/** Every reader gets the same status (and, with `body`, the same answer). */
export const sameForAll =
  (path: string, status: number, opts: { body?: boolean; method?: string } = {}): Row =>
  async (x) => {
    const first = await x.r.query(AUDITOR, path, { method: opts.method });
    expect(first.status, `auditor ${path}`).to.equal(status);
    for (const reader of MEMBERS) {
      const a = await x.r.query(reader, path, { method: opts.method });
      expect(a.status, `${reader} ${path}`).to.equal(status);
      if (opts.body) expect(a.body, `${reader} ${path}`).to.deep.equal(first.body);
    }
  };
