/**
 * The visibility rules of the query API by name: every row of the route table
 * names the one that scopes its answer (visibility.ts and
 * epcis/event-visibility.ts apply them in SQL; docs/visibility.md lists them
 * with each route). The auditor role sees everything under every rule.
 */
export const READ_RULES = {
  public: 'no member data (health, metrics, this API document)',
  location: 'the owner of the location',
  movement: 'the owner of the location; stock in transit: the sender, receiver and carrier of the shipment',
  lot: 'the lot’s provenance: the member that commissioned or ever held it or a lot made from it (404 otherwise); positions and stock in transit only at its own locations and shipments',
  'lot-downstream': 'as lot; only the lots of the caller’s own provenance and holdings at its own locations',
  genealogy:
    'as lot: every step upstream with its proofs; downstream only the caller’s own provenance; shipments, custody, movements and holdings as their own rules',
  shipment: 'the sender, receiver and carrier (404 otherwise); pending orders: their parties',
  order:
    'the buyer and the supplier; payment terms and paid amounts are Fabric private data on their two peers only, and an indexer holds them only when its own organisation is a party ([private-data.md](private-data.md))',
  recall: 'the declarer and every member that may see a lot it affects; affected lots and their positions as lot',
  'recall-scope': 'roots as lot (404 otherwise), affected lots as lot-downstream',
  search: 'each match as its own rule (transaction, shipment, order, lot); a match with nothing visible is left out',
  transaction:
    'configuration and consortium transactions: every member; others: the creator and every member that may see a fact the transaction wrote (404 otherwise)',
  block: 'every member sees the block headers; each block lists only the transactions the caller may see, and blocks with none are left out',
  'epcis-event': 'the member that captured the event and the owners of the locations it names (business location, read point)',
  'epcis-own': 'the organisation that created the named query or subscription; its events as epcis-event',
  fsma: 'the critical tracking events the member recorded or that happened at its locations',
  membership:
    'every member: channel members, the consortium registry, governance proposals and products’ master data (a GTIN’s description and unit) are the consortium’s common knowledge; a transaction as transaction',
} as const;

export type ReadRule = keyof typeof READ_RULES;

/** The route → rule list of `routes` as Markdown table rows (docs/visibility.md holds it, and a unit test compares). */
export function ruleList(routes: ReadonlyArray<{ method: string; path: string; visibility: ReadRule }>): string {
  const path = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*([A-Za-z0-9_]+)/g, '{$1…}');
  return ['| route | rule |', '|---|---|', ...routes.map((r) => `| \`${r.method.toUpperCase()} ${path(r.path)}\` | ${r.visibility} |`)].join('\n');
}
