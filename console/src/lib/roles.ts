/** Which views a role sees (the gateway enforces the same rules on every request). */
export type View = 'trace' | 'recall' | 'stock' | 'shipments' | 'orders' | 'ledger';

// What the indexer's query API serves to each role (the console reads it through the gateway).
const TRACE = ['auditor', 'retailer-ops', 'admin'];
const READERS = ['inventory-reader', 'retailer-ops', 'auditor', 'admin'];
const VIEWS: Record<View, string[]> = {
  trace: TRACE,
  recall: TRACE,
  stock: READERS,
  shipments: READERS,
  orders: ['finance', 'retailer-ops', 'auditor', 'admin'],
  ledger: [...READERS, 'finance'],
};

export const canSee = (roles: string[], v: View) => roles.some((r) => VIEWS[v].includes(r));
/** Declaring a recall is a ledger write: the gateway allows supplier, retailer-ops and admin; of those, the recall view is open to these. */
export const canDeclareRecall = (roles: string[]) => roles.some((r) => ['retailer-ops', 'admin'].includes(r));
/** Proof material is served to these roles. */
export const canProve = (roles: string[]) => roles.some((r) => ['auditor', 'retailer-ops', 'supplier', 'finance', 'admin'].includes(r));
export const ALL_ROLES = ['auditor', 'retailer-ops', 'supplier', 'inventory-reader', 'finance', 'admin', 'pos', 'sap'];
