/**
 * Column layout of every table the projection writes (see migrations/). One
 * place, so projection code and the rebuild comparison agree on the tables.
 */
import type { TableSpec } from './row-buffer';

const spec = (table: string, columns: string[], key: string[], onConflict: TableSpec['onConflict']): TableSpec => ({ table, columns, key, onConflict });

export const T = {
  blocks: spec('blocks', ['block_number', 'header_hash', 'previous_hash', 'data_hash', 'tx_count'], ['block_number'], 'error'),
  transactions: spec(
    'transactions',
    ['tx_id', 'block_number', 'tx_index', 'validation_code', 'tx_type', 'creator_msp', 'endorser_msps', 'chaincode_id', 'fn', 'event_id', 'projected', 'replay_of_tx_id', 'tx_time'],
    ['block_number', 'tx_index'],
    'error',
  ),
  suppliers: spec('suppliers', ['msp_id', 'tx_id', 'block_number'], ['msp_id'], 'nothing'),
  warehouses: spec('warehouses', ['gln', 'name', 'location_type', 'owner_msp', 'party_gln', 'sgln', 'address', 'tx_id', 'block_number'], ['gln'], 'update'),
  inventoryItems: spec('inventory_items', ['gtin', 'description', 'unit', 'category', 'registered_by', 'tx_id', 'block_number'], ['gtin'], 'update'),
  lots: spec(
    'lots',
    ['gtin', 'lot_code', 'epc_class', 'status', 'origin', 'production_date', 'expiry_date', 'best_before_date', 'certificates', 'recall_ids', 'commissioned_at', 'commissioned_by', 'commissioned_gln', 'tx_id', 'block_number'],
    ['gtin', 'lot_code'],
    'update',
  ),
  lotLineage: spec('lot_lineage', ['parent_gtin', 'parent_lot_code', 'child_gtin', 'child_lot_code', 'tx_id', 'block_number'], ['parent_gtin', 'parent_lot_code', 'child_gtin', 'child_lot_code'], 'nothing'),
  stockLevels: spec('stock_levels', ['gln', 'gtin', 'lot_code', 'quantity', 'base_units', 'tx_id', 'block_number'], ['gln', 'gtin', 'lot_code'], 'update'),
  transitLevels: spec('transit_levels', ['shipment_id', 'gtin', 'lot_code', 'quantity', 'base_units', 'tx_id', 'block_number'], ['shipment_id', 'gtin', 'lot_code'], 'update'),
  stockMovements: spec(
    'stock_movements',
    ['movement_id', 'event_time', 'block_number', 'tx_index', 'seq', 'tx_id', 'epcis_event_id', 'position', 'gln', 'shipment_id', 'gtin', 'lot_code', 'delta', 'delta_base_units', 'balance', 'balance_base_units', 'biz_step', 'disposition'],
    ['movement_id', 'event_time'],
    'error',
  ),
  shipments: spec(
    'shipments',
    ['shipment_id', 'from_gln', 'to_gln', 'sender_msp', 'receiver_msp', 'status', 'owner', 'possessor', 'ownership_transfer', 'carrier', 'po_id', 'desadv', 'bol', 'has_discrepancy', 'created_at', 'dispatched_at', 'received_at', 'receipt_count', 'closed_at', 'tx_id', 'block_number'],
    ['shipment_id'],
    'update',
  ),
  shipmentLines: spec(
    'shipment_lines',
    ['shipment_id', 'line_no', 'gtin', 'lot_code', 'quantity', 'dispatched', 'received', 'damaged', 'short', 'over', 'tx_id', 'block_number'],
    ['shipment_id', 'line_no'],
    'update',
  ),
  shipmentReceipts: spec(
    'shipment_receipts',
    ['shipment_id', 'receipt_no', 'gln', 'event_id', 'closed', 'lines', 'discrepancies', 'received_at', 'tx_id', 'block_number'],
    ['shipment_id', 'receipt_no'],
    'nothing',
  ),
  custodyEvents: spec(
    'custody_events',
    ['shipment_id', 'tx_id', 'block_number', 'tx_index', 'status', 'owner', 'possessor', 'from_gln', 'to_gln', 'submitted_by', 'endorsed_by', 'event_time'],
    ['shipment_id', 'tx_id'],
    'error',
  ),
  purchaseOrders: spec(
    'purchase_orders',
    ['po_id', 'buyer_msp', 'supplier_msp', 'ship_to_gln', 'status', 'chain_id', 'asset', 'amount_base_units', 'paid_base_units', 'payment_count', 'lines', 'due_date', 'created_at', 'tx_id', 'block_number'],
    ['po_id'],
    'update',
  ),
  payments: spec(
    'payments',
    ['chain_id', 'tx_hash', 'log_index', 'po_id', 'asset', 'payer', 'payee', 'amount_base_units', 'evm_block_number', 'recorded_by', 'recorded_at', 'tx_id', 'block_number'],
    ['chain_id', 'tx_hash', 'log_index'],
    'update',
  ),
  recalls: spec('recalls', ['recall_id', 'reason', 'declared_by', 'declared_at', 'include_descendants', 'lots', 'affected', 'tx_id', 'block_number'], ['recall_id'], 'update'),
  traceEvents: spec(
    'trace_events',
    ['epcis_event_id', 'tx_id', 'block_number', 'tx_index', 'seq', 'ledger_event_id', 'event_type', 'event_time', 'biz_step', 'disposition', 'biz_location', 'document'],
    ['tx_id', 'seq'],
    'error',
  ),
  epcisEvents: spec(
    'epcis_events',
    ['block_number', 'tx_index', 'seq', 'tx_id', 'ledger_event_id', 'event_id', 'event_hash', 'event_type', 'event_time', 'record_time', 'biz_step', 'disposition', 'biz_location', 'read_point', 'captured', 'epcs', 'any_epcs', 'epc_classes', 'any_epc_classes', 'document'],
    ['block_number', 'tx_index', 'seq'],
    'error',
  ),
  ledgerRecords: spec('ledger_records', ['record_key', 'doc_type', 'value', 'tx_id', 'block_number'], ['record_key'], 'update'),
  channelConfigs: spec('channel_configs', ['block_number', 'tx_id', 'config_time', 'members'], ['block_number'], 'error'),
  channelMembers: spec('channel_members', ['block_number', 'msp_id', 'section', 'org_name'], ['block_number', 'section', 'msp_id'], 'error'),
  outbox: spec(
    'outbox',
    ['event_id', 'topic', 'message_key', 'ce_type', 'ce_subject', 'ce_time', 'payload', 'tx_id', 'block_number'],
    ['event_id'],
    'nothing',
  ),
} as const;

/** Write order honouring foreign keys (blocks before transactions, shipments before lines). */
export const WRITE_ORDER: readonly TableSpec[] = [T.blocks, T.transactions, T.shipments, T.shipmentLines, T.shipmentReceipts];

/**
 * Tables compared by `rebuild` and the columns left out of the comparison
 * (wall-clock times and sequence values differ between runs by nature).
 */
export const COMPARED_TABLES: Record<string, string[]> = {
  blocks: ['indexed_at'],
  transactions: [],
  checkpoint: [],
  suppliers: [],
  warehouses: [],
  inventory_items: [],
  lots: [],
  lot_lineage: [],
  stock_levels: [],
  transit_levels: [],
  stock_movements: [],
  shipments: [],
  shipment_lines: [],
  shipment_receipts: [],
  custody_events: [],
  purchase_orders: [],
  payments: [],
  recalls: [],
  trace_events: [],
  epcis_events: [],
  ledger_records: [],
  channel_configs: [],
  channel_members: [],
  outbox: ['id', 'created_at', 'published_at'],
};
