/** Which views a role sees (the gateway enforces the same rules on every request). */
export type View = 'trace' | 'recall' | 'stock' | 'shipments' | 'orders' | 'ledger';

const TRACE = ['auditor', 'retailer-ops', 'supplier', 'admin'];
const VIEWS: Record<View, string[]> = {
  trace: TRACE,
  recall: TRACE,
  stock: ['inventory-reader', 'retailer-ops', 'supplier', 'auditor', 'admin'],
  shipments: ['inventory-reader', 'retailer-ops', 'supplier', 'auditor', 'finance', 'admin'],
  orders: ['finance', 'retailer-ops', 'supplier', 'auditor', 'admin'],
  ledger: ['auditor', 'retailer-ops', 'supplier', 'inventory-reader', 'finance', 'admin'],
};

export const canSee = (roles: string[], v: View) => roles.some((r) => VIEWS[v].includes(r));
/** Declaring a recall is a ledger write: the gateway allows these roles. */
export const canDeclareRecall = (roles: string[]) => roles.some((r) => ['supplier', 'retailer-ops', 'admin'].includes(r));
/** Proof material is served to these roles. */
export const canProve = (roles: string[]) => roles.some((r) => ['auditor', 'retailer-ops', 'supplier', 'finance', 'admin'].includes(r));
export const ALL_ROLES = ['auditor', 'retailer-ops', 'supplier', 'inventory-reader', 'finance', 'admin', 'pos', 'sap'];
