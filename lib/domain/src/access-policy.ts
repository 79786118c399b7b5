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

/** HTTP methods the query API's rules name. */
export type QueryMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS';

/**
 * The query API's paths and the operation each needs (first match wins; a
 * request matching none answers 404, token or not). The indexer enforces it;
 * the console's pass-through checks it before forwarding, so both agree.
 */
export const QUERY_API_ACCESS: ReadonlyArray<{ method: QueryMethod; path: RegExp; op: Operation }> = [
  { method: 'GET', path: /^\/(inventory|inventory\/low-stock|orders\/pending|movements)$/, op: 'index.stock' },
  // Setting a reorder point changes what the retailer replenishes: operations staff only.
  { method: 'PUT', path: /^\/reorder-points\/[^/]+\/[^/]+$/, op: 'index.reorder-points' },
  { method: 'GET', path: /^\/(lots|shipments)\//, op: 'index.stock' },
  { method: 'GET', path: /^\/recalls\//, op: 'index.stock' },
  // The web console's lists and search and its ledger view.
  { method: 'GET', path: /^\/(shipments|recalls|search)$/, op: 'index.stock' },
  { method: 'GET', path: /^\/purchase-orders$/, op: 'index.purchase-orders' },
  { method: 'GET', path: /^\/ledger\/(blocks|config-blocks|stream|transactions\/[0-9a-f]{64})$/, op: 'index.ledger' },
  { method: 'GET', path: /^\/epcis(\/|$)/, op: 'epcis.query' },
  { method: 'OPTIONS', path: /^\/epcis(\/|$)/, op: 'epcis.query' },
  { method: 'POST', path: /^\/epcis\/queries(\/[^/]+\/subscriptions)?$/, op: 'epcis.subscribe' },
  // Deleting a named query (with its subscriptions) or unsubscribing.
  { method: 'DELETE', path: /^\/epcis\/queries\/[^/]+(\/subscriptions\/[^/]+)?$/, op: 'epcis.subscribe' },
  // The FSMA 204 sortable spreadsheet is produced for a regulator's request.
  { method: 'GET', path: /^\/fsma\//, op: 'index.fsma' },
  // Channel membership per config block: who could transact when a transaction committed.
  { method: 'GET', path: /^\/membership$/, op: 'index.stock' },
  // The consortium registry and its governance proposals, approvals and outcomes.
  { method: 'GET', path: /^\/membership\/(registry|proposals(\/[^/]+)?)$/, op: 'index.stock' },
];

/** The operation a query API request needs, or undefined when no route matches. */
export function queryApiOperation(method: string, path: string): Operation | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return QUERY_API_ACCESS.find((r) => r.method === m && r.path.test(path))?.op;
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
