/**
 * The access-policy table: which roles may perform which operation, for every
 * HTTP service and the console. The gateway's routes, the query API's routes
 * and the console's controls all name an operation of this table and never
 * list roles of their own, so one row changes one rule everywhere.
 *
 * Organisation-level rules (which records of which member a caller may see or
 * change) are applied on top of these rows, per request, by the services.
 */
import type { Role } from './roles';

const READERS = ['inventory-reader', 'retailer-ops', 'auditor', 'admin'] as const satisfies readonly Role[];
const EPCIS_READERS = ['supplier', 'retailer-ops', 'sap', 'auditor', 'inventory-reader', 'finance', 'admin'] as const satisfies readonly Role[];
const EPCIS_SUBSCRIBERS = ['supplier', 'retailer-ops', 'sap', 'auditor', 'admin'] as const satisfies readonly Role[];
const TRACE = ['auditor', 'retailer-ops', 'admin'] as const satisfies readonly Role[];

/** Operation → roles allowed to perform it. */
export const POLICY = {
  // ---- gateway: ledger writes -------------------------------------------------------------
  'ledger.master-data': ['supplier', 'retailer-ops', 'admin'],
  'ledger.lots': ['supplier', 'retailer-ops', 'admin'],
  'ledger.custody': ['supplier', 'retailer-ops', 'sap', 'admin'],
  'ledger.stock': ['supplier', 'retailer-ops', 'sap', 'admin'],
  'ledger.orders': ['retailer-ops', 'sap', 'admin'],
  'ledger.recalls': ['supplier', 'retailer-ops', 'admin'],
  'ledger.corrections': ['supplier', 'retailer-ops', 'sap', 'admin'],
  'ledger.attest': ['auditor', 'admin'],
  // ---- gateway: ledger reads --------------------------------------------------------------
  'ledger.read': ['supplier', 'retailer-ops', 'sap', 'auditor', 'inventory-reader', 'finance', 'admin'],
  'ledger.read-orders': ['supplier', 'retailer-ops', 'sap', 'auditor', 'finance', 'admin'],
  'provenance.trace': ['auditor', 'retailer-ops', 'supplier', 'admin'],
  'provenance.proof': ['auditor', 'retailer-ops', 'supplier', 'finance', 'admin'],
  // ---- gateway: adapters and payments -----------------------------------------------------
  'sap.idoc': ['sap', 'admin'],
  'pos.sales': ['pos', 'admin'],
  'pos.proofs': ['pos', 'retailer-ops', 'auditor', 'admin'],
  'pos.unbooked': ['pos', 'retailer-ops', 'auditor', 'admin'],
  'pos.replay': ['pos', 'retailer-ops', 'admin'],
  'epcis.capture': ['supplier', 'retailer-ops', 'sap', 'admin'],
  'epcis.query': EPCIS_READERS,
  'epcis.subscribe': EPCIS_SUBSCRIBERS,
  'payments.verify': ['finance', 'admin'],
  'payments.read': ['finance', 'auditor', 'retailer-ops', 'admin'],
  'mappings.write': ['admin'],
  // ---- query API (the indexed ledger) -----------------------------------------------------
  'index.stock': READERS,
  'index.reorder-points': ['retailer-ops', 'admin'],
  'index.purchase-orders': ['finance', 'retailer-ops', 'auditor', 'admin'],
  'index.ledger': [...READERS, 'finance'],
  'index.fsma': ['retailer-ops', 'auditor', 'admin'],
  // ---- console views and controls ---------------------------------------------------------
  'console.trace': TRACE,
  'console.declare-recall': ['retailer-ops', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

/** An operation of the policy table. */
export type Operation = keyof typeof POLICY;

/** Roles allowed to perform `op`. */
export function rolesFor(op: Operation): readonly Role[] {
  return POLICY[op];
}

/** True when any of `roles` may perform `op`. */
export function mayPerform(roles: readonly string[], op: Operation): boolean {
  const allowed: readonly string[] = POLICY[op];
  return roles.some((r) => allowed.includes(r));
}

/**
 * What the console reads through its gateway's pass-through, by path prefix
 * (first match wins): the console's views are narrower than the query API's
 * rules where a view is meant for fewer people (traces, recalls, EPCIS).
 */
export const CONSOLE_INDEX_ACCESS: ReadonlyArray<{ prefix: string; op: Operation }> = [
  { prefix: '/fsma/', op: 'console.trace' },
  { prefix: '/recalls', op: 'console.trace' },
  { prefix: '/epcis/', op: 'console.trace' },
  { prefix: '/inventory', op: 'index.stock' },
  { prefix: '/orders/', op: 'index.stock' },
  { prefix: '/purchase-orders', op: 'index.purchase-orders' },
  { prefix: '/shipments', op: 'index.stock' },
  { prefix: '/movements', op: 'index.stock' },
  { prefix: '/lots/', op: 'index.stock' },
  { prefix: '/search', op: 'index.stock' },
  { prefix: '/ledger/', op: 'index.ledger' },
];

/** The console views and the operation that shows each. */
export const CONSOLE_VIEWS = {
  trace: 'console.trace',
  recall: 'console.trace',
  stock: 'index.stock',
  shipments: 'index.stock',
  orders: 'index.purchase-orders',
  ledger: 'index.ledger',
} as const satisfies Record<string, Operation>;
export type ConsoleView = keyof typeof CONSOLE_VIEWS;
