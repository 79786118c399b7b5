/**
 * Which outbox messages an organisation may see: each topic is scoped by one
 * rule of the query API (read-rules.ts), applied in SQL with the same
 * predicates (visibility.ts) to the record the message describes, as the
 * read model holds it when the message is published. An indexer owned by a
 * member publishes only what its owner may see; an auditor's publishes all.
 */
import type { TOPICS } from '../projection/outbox-messages';
import type { ReadRule } from './read-rules';
import { VISIBLE } from './visibility';

type Aggregate = (typeof TOPICS)[keyof typeof TOPICS];

/** The rule of each topic and what it is applied to (docs/events.md lists it, and a unit test compares). */
export const TOPIC_RULES: Record<Aggregate, { rules: ReadRule[]; applied: string }> = {
  'stock-movements': { rules: ['movement'], applied: 'the movement’s location, or its shipment when the stock is in transit' },
  shipments: { rules: ['shipment'], applied: 'the shipment' },
  lots: { rules: ['lot'], applied: 'the lot, as its provenance stands when the message is published' },
  payments: { rules: ['order'], applied: 'the purchase order the payment is for' },
  'purchase-orders': { rules: ['order'], applied: 'the purchase order' },
  recalls: { rules: ['recall'], applied: 'the recall' },
  'master-data': {
    rules: ['location', 'membership', 'transaction'],
    applied:
      'a location: its owner; a product: every member (a GTIN’s master data is common knowledge); any other record: the member whose transaction wrote it',
  },
  records: {
    rules: ['shipment', 'location', 'transaction'],
    applied: '`receipt~`: its shipment; `sales~`: its location; any other record: the member whose transaction wrote it',
  },
  transactions: { rules: ['transaction'], applied: 'the transaction' },
};

/** The first attribute of a record key `type~attr~…`. */
const attr1 = (key: string) => `split_part(${key}, '~', 2)`;

/** The member whose transaction wrote the message (a transaction seen only by its creator). */
const writtenBy = (o: string, org: string) =>
  `EXISTS (SELECT 1 FROM transactions vot WHERE vot.tx_id = ${o}.tx_id AND vot.block_number = ${o}.block_number AND vot.creator_msp = ${org})`;

/** A message keyed by a purchase order id (the order itself, or a payment for it): seen by the order's parties. */
const keyedByOrder = (o: string, org: string) =>
  `EXISTS (SELECT 1 FROM purchase_orders vop WHERE vop.po_id = ${o}.message_key AND ${VISIBLE.order('vop', org)})`;

/** SQL per topic: true when `org` may see the message of outbox row `o`. */
const TOPIC_SQL: Record<Aggregate, (o: string, org: string) => string> = {
  'stock-movements': (o, org) => `EXISTS (SELECT 1 FROM stock_movements vom WHERE vom.movement_id = ${o}.event_id
      AND (${VISIBLE.location('vom.gln', org)} OR (vom.shipment_id IS NOT NULL AND ${VISIBLE.shipmentId('vom.shipment_id', org)})))`,
  shipments: (o, org) => VISIBLE.shipmentId(`${o}.message_key`, org),
  lots: (o, org) => VISIBLE.lot(`split_part(${o}.message_key, '/', 1)`, `substr(${o}.message_key, strpos(${o}.message_key, '/') + 1)`, org),
  payments: keyedByOrder,
  'purchase-orders': keyedByOrder,
  recalls: (o, org) => `EXISTS (SELECT 1 FROM recalls vor WHERE vor.recall_id = ${o}.message_key AND ${VISIBLE.recall('vor', org)})`,
  'master-data': (o, org) => `CASE split_part(${o}.message_key, '~', 1)
      WHEN 'location' THEN ${VISIBLE.location(attr1(`${o}.message_key`), org)}
      WHEN 'product' THEN TRUE
      ELSE ${writtenBy(o, org)} END`,
  records: (o, org) => `CASE split_part(${o}.message_key, '~', 1)
      WHEN 'receipt' THEN ${VISIBLE.shipmentId(attr1(`${o}.message_key`), org)}
      WHEN 'sales' THEN ${VISIBLE.location(attr1(`${o}.message_key`), org)}
      ELSE ${writtenBy(o, org)} END`,
  transactions: (o, org) =>
    `EXISTS (SELECT 1 FROM transactions vtx WHERE vtx.tx_id = ${o}.tx_id AND vtx.block_number = ${o}.block_number AND ${VISIBLE.transaction('vtx', org)})`,
};

/**
 * SQL true when the organisation bound to `org` (a `$n` of text; NULL: every
 * message) may see outbox row `o`, whose topic is `<prefix>.<aggregate>` with
 * the prefix bound to `prefix`. A topic without a rule is seen by nobody.
 */
export function outboxVisible(o: string, org: string, prefix: string): string {
  const cases = (Object.keys(TOPIC_SQL) as Aggregate[]).map((a) => `WHEN '${a}' THEN ${TOPIC_SQL[a](o, org)}`).join('\n      ');
  return `(${org}::text IS NULL OR CASE substr(${o}.topic, length(${prefix}::text) + 2)
      ${cases}
      ELSE false END)`;
}

/** The topic → rule list as Markdown table rows (docs/events.md holds it, and a unit test compares). */
export function topicRuleList(prefix = 'supplychain'): string {
  return [
    '| topic | rule | applied to |',
    '|---|---|---|',
    ...(Object.keys(TOPIC_RULES) as Aggregate[]).map((a) => `| \`${prefix}.${a}\` | ${TOPIC_RULES[a].rules.join(', ')} | ${TOPIC_RULES[a].applied} |`),
  ].join('\n');
}
