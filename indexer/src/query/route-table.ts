/**
 * The query API's route table: every route's method, path, parameters,
 * answers and the access-policy operation it needs. The query API's access
 * check, its input validation and its `/openapi.json` are all built from this
 * table, and a test holds it against the routes express actually serves.
 */
import { EPCIS_ROUTES } from './epcis/epcis-route-rows';
import { GLN, GTIN14, ID, json, limit, LOT, LOT_PARAMS, OBJ, TX_ID, type QueryRoute } from './route-schemas';

export type { QueryRoute } from './route-schemas';

/** The query API's routes, in the order express matches them. */
export const QUERY_ROUTES: readonly QueryRoute[] = [
  // ---- operations -----------------------------------------------------------------------------
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Indexing and database health',
    tag: 'operations',
    op: 'public',
    visibility: 'public',
    success: { status: 200, description: 'Healthy (503 when not)', content: json() },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    op: 'public',
    visibility: 'public',
    success: { status: 200, description: 'Metrics in the Prometheus text format', content: { 'text/plain': { type: 'string' } } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tag: 'operations',
    op: 'public',
    visibility: 'public',
    success: { status: 200, description: 'OpenAPI 3.1', content: json() },
  },
  // ---- inventory ------------------------------------------------------------------------------
  {
    method: 'get',
    path: '/inventory',
    operationId: 'getInventory',
    summary: 'Current stock by location, product and lot',
    tag: 'inventory',
    op: 'index.stock',
    visibility: 'location',
    query: { gln: GLN, gtin: GTIN14, lotCode: LOT, limit: limit(10_000) },
    success: { status: 200, description: 'Stock positions and their total', content: json() },
  },
  {
    method: 'get',
    path: '/inventory/low-stock',
    operationId: 'getLowStock',
    summary: 'Items below their reorder point',
    tag: 'inventory',
    op: 'index.stock',
    visibility: 'location',
    success: { status: 200, description: 'Low-stock items', content: json() },
  },
  {
    method: 'put',
    path: '/reorder-points/:gln/:gtin',
    operationId: 'putReorderPoint',
    summary: 'Set the reorder point of a product at a location',
    tag: 'inventory',
    op: 'index.reorder-points',
    visibility: 'location',
    params: { gln: GLN, gtin: GTIN14 },
    body: { type: 'object', required: ['reorderPoint'], properties: { reorderPoint: { type: 'string', pattern: '^\\d{1,15}(\\.\\d{1,3})?$' } } },
    success: { status: 200, description: 'The reorder point as stored', content: json() },
  },
  {
    method: 'get',
    path: '/orders/pending',
    operationId: 'getPendingOrders',
    summary: 'Purchase orders not yet received',
    tag: 'inventory',
    op: 'index.stock',
    visibility: 'shipment',
    success: { status: 200, description: 'Pending orders', content: json() },
  },
  {
    method: 'get',
    path: '/movements',
    operationId: 'getMovements',
    summary: 'Stock movements, newest last, with a cursor',
    tag: 'inventory',
    op: 'index.stock',
    visibility: 'movement',
    query: { gln: GLN, gtin: GTIN14, lotCode: LOT, shipmentId: ID, cursor: { type: 'string', maxLength: 200 }, limit: limit(1000) },
    success: { status: 200, description: 'A page of movements and the next cursor', content: json() },
  },
  // ---- provenance -----------------------------------------------------------------------------
  {
    method: 'get',
    path: '/lots/:gtin/:lotCode',
    operationId: 'getLot',
    summary: 'A lot with its positions, parents and children',
    tag: 'provenance',
    op: 'index.stock',
    visibility: 'lot',
    params: LOT_PARAMS,
    success: { status: 200, description: 'The lot', content: json() },
  },
  {
    method: 'get',
    path: '/lots/:gtin/:lotCode/trace/upstream',
    operationId: 'traceUpstream',
    summary: 'Every step back to the origins of a lot',
    tag: 'provenance',
    op: 'index.stock',
    visibility: 'lot',
    params: LOT_PARAMS,
    success: { status: 200, description: 'Upstream steps and origins', content: json() },
  },
  {
    method: 'get',
    path: '/lots/:gtin/:lotCode/trace/downstream',
    operationId: 'traceDownstream',
    summary: 'Every lot made from a lot and who holds it',
    tag: 'provenance',
    op: 'index.stock',
    visibility: 'lot-downstream',
    params: LOT_PARAMS,
    success: { status: 200, description: 'Downstream steps and holdings', content: json() },
  },
  {
    method: 'get',
    path: '/lots/:gtin/:lotCode/genealogy',
    operationId: 'getGenealogy',
    summary: 'The lot graph around a lot, for the console',
    tag: 'provenance',
    op: 'index.stock',
    visibility: 'genealogy',
    params: LOT_PARAMS,
    success: { status: 200, description: 'Nodes and edges', content: json() },
  },
  {
    method: 'get',
    path: '/shipments/:shipmentId',
    operationId: 'getShipment',
    summary: 'A shipment with its lines and custody chain',
    tag: 'provenance',
    op: 'index.stock',
    visibility: 'shipment',
    params: { shipmentId: ID },
    success: { status: 200, description: 'The shipment', content: json() },
  },
  // ---- operations lists and search ------------------------------------------------------------
  {
    method: 'get',
    path: '/shipments',
    operationId: 'listShipments',
    summary: 'Shipments with lines and discrepancies',
    tag: 'lists',
    op: 'index.stock',
    visibility: 'shipment',
    query: { status: { type: 'string', enum: ['created', 'dispatched', 'received'] }, limit: limit(1000) },
    success: { status: 200, description: 'Shipments', content: json() },
  },
  {
    method: 'get',
    path: '/purchase-orders',
    operationId: 'listPurchaseOrders',
    summary: 'Purchase orders with payment status',
    tag: 'lists',
    op: 'index.purchase-orders',
    visibility: 'order',
    query: { limit: limit(1000) },
    success: { status: 200, description: 'Orders', content: json() },
  },
  {
    method: 'get',
    path: '/recalls',
    operationId: 'listRecalls',
    summary: 'Declared recalls, newest first',
    tag: 'lists',
    op: 'index.stock',
    visibility: 'recall',
    query: { limit: limit(1000) },
    success: { status: 200, description: 'Recalls', content: json() },
  },
  {
    method: 'get',
    path: '/search',
    operationId: 'search',
    summary: 'Shipment, BOL, order, SSCC or transaction id to the lots it concerns',
    tag: 'lists',
    op: 'index.stock',
    visibility: 'search',
    query: { q: { type: 'string', minLength: 1, maxLength: 256 } },
    requiredQuery: ['q'],
    success: { status: 200, description: 'Matches', content: json() },
  },
  // ---- ledger view ----------------------------------------------------------------------------
  {
    method: 'get',
    path: '/ledger/blocks',
    operationId: 'listBlocks',
    summary: 'Blocks with their transactions, newest first',
    tag: 'ledger',
    op: 'index.ledger',
    visibility: 'block',
    query: { before: { type: 'string', pattern: '^\\d{1,18}$' }, limit: limit(100) },
    success: { status: 200, description: 'Blocks', content: json() },
  },
  {
    method: 'get',
    path: '/ledger/config-blocks',
    operationId: 'listConfigBlocks',
    summary: 'Config blocks',
    tag: 'ledger',
    op: 'index.ledger',
    visibility: 'transaction',
    success: { status: 200, description: 'Config blocks', content: json() },
  },
  {
    method: 'get',
    path: '/ledger/transactions/:txId',
    operationId: 'getTransaction',
    summary: 'A transaction as indexed',
    tag: 'ledger',
    op: 'index.ledger',
    visibility: 'transaction',
    params: { txId: TX_ID },
    success: { status: 200, description: 'The transaction', content: json() },
  },
  {
    method: 'get',
    path: '/ledger/stream',
    operationId: 'streamLedger',
    summary: 'New blocks as server-sent events',
    tag: 'ledger',
    op: 'index.ledger',
    visibility: 'block',
    streaming: true,
    success: { status: 200, description: 'An event stream', content: { 'text/event-stream': { type: 'string' } } },
  },
  // ---- recalls --------------------------------------------------------------------------------
  {
    method: 'get',
    path: '/recalls/scope',
    operationId: 'recallScope',
    summary: 'Where the lots of a recall went',
    tag: 'recalls',
    op: 'index.stock',
    visibility: 'recall-scope',
    // Either lot, or gtin with from and to (the route names what is missing).
    query: {
      lot: { type: 'string', minLength: 1, maxLength: 4096, description: '<gtin14>/<lotCode>, comma-separated' },
      gtin: GTIN14,
      from: { type: 'string', maxLength: 64 },
      to: { type: 'string', maxLength: 64 },
    },
    success: { status: 200, description: 'Locations and lots in scope', content: json() },
  },
  ...EPCIS_ROUTES,
  // ---- FSMA 204 -------------------------------------------------------------------------------
  {
    method: 'get',
    path: '/fsma/export/key',
    operationId: 'fsmaKey',
    summary: 'The FSMA 204 spreadsheet column key',
    tag: 'fsma',
    op: 'index.fsma',
    visibility: 'public',
    openQuery: true,
    success: { status: 200, description: 'The key', content: { 'application/json': OBJ, 'text/csv': { type: 'string' } } },
  },
  {
    method: 'get',
    path: '/fsma/export',
    operationId: 'fsmaExport',
    summary: 'The FSMA 204 electronic sortable spreadsheet',
    tag: 'fsma',
    op: 'index.fsma',
    visibility: 'fsma',
    openQuery: true,
    success: {
      status: 200,
      description: 'CSV, JSON or XLSX',
      content: {
        'text/csv': { type: 'string' },
        'application/json': OBJ,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { type: 'string' },
      },
    },
  },
  // ---- membership -----------------------------------------------------------------------------
  {
    method: 'get',
    path: '/membership',
    operationId: 'getMembership',
    summary: 'Channel members as of a block or transaction',
    tag: 'membership',
    op: 'index.stock',
    visibility: 'membership',
    query: { txId: TX_ID, block: { type: 'string', pattern: '^\\d{1,18}$' } },
    success: { status: 200, description: 'Members', content: json() },
  },
  {
    method: 'get',
    path: '/membership/registry',
    operationId: 'getConsortiumRegistry',
    summary: 'The consortium registry: members with their roles and GS1 company prefixes',
    tag: 'membership',
    op: 'index.stock',
    visibility: 'membership',
    success: { status: 200, description: 'Registry members', content: json() },
  },
  {
    method: 'get',
    path: '/membership/proposals',
    operationId: 'listGovernanceProposals',
    summary: 'Governance proposals, newest first: the change, approvals, required majority, expiry and outcome',
    tag: 'membership',
    op: 'index.stock',
    visibility: 'membership',
    query: { status: { type: 'string', enum: ['open', 'applied', 'expired'] } },
    success: { status: 200, description: 'Proposals', content: json() },
  },
  {
    method: 'get',
    path: '/membership/proposals/:proposalId',
    operationId: 'getGovernanceProposal',
    summary: 'One governance proposal with each organisation’s proposal or approval',
    tag: 'membership',
    op: 'index.stock',
    visibility: 'membership',
    params: { proposalId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:@#-]{0,127}$' } },
    success: { status: 200, description: 'The proposal and its approvals', content: json() },
  },
];

/** A route's express path as a regular expression over request paths, with a named group per parameter. */
export function pathPattern(expressPath: string): RegExp {
  const body = expressPath
    .split('/')
    .map((seg) => (seg.startsWith(':') ? `(?<${seg.slice(1)}>[^/]+)` : seg.startsWith('*') ? '.+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}$`);
}

const PATTERNS = new WeakMap<QueryRoute, RegExp>();

/** The table row serving `method path` and its path parameters, first match wins (HEAD is GET). */
export function matchRoute(routes: readonly QueryRoute[], method: string, path: string): { route: QueryRoute; params: Record<string, string> } | undefined {
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  for (const route of routes) {
    if (route.method !== m) continue;
    let re = PATTERNS.get(route);
    if (!re) PATTERNS.set(route, (re = pathPattern(route.path)));
    const hit = re.exec(path);
    if (!hit) continue;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(hit.groups ?? {})) {
      try {
        params[k] = decodeURIComponent(v);
      } catch {
        params[k] = v;
      }
    }
    return { route, params };
  }
  return undefined;
}
