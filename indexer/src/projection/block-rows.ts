/**
 * The rows one committed block adds to the read model: the block, every
 * transaction with its validation code, the projections of the valid ones
 * (records, stock events, EPCIS events, config members) and their outbox
 * messages. Pure: it fills a row buffer and touches no database.
 */
import type { LedgerBlock, LedgerTransaction } from '../../../lib/fabric/src';
import { addOutboxMessages } from './outbox-messages';
import { projectConfigBlock } from './project-config';
import { projectEpcisEvents } from './project-epcis';
import { projectEvents } from './project-events';
import { CONSORTIUM_EVENT_NAME, projectGovernance } from './project-governance';
import { projectRecord, type RowOrigin } from './project-records';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';
import { parseTracePayload, TRACE_EVENT_NAME, type TracePayload } from './trace-payload';

/** What one block added, for logs and metrics. */
export interface BlockSummary {
  blockNumber: bigint;
  transactions: number;
  projected: number;
  invalid: number;
  outboxRows: number;
  /** Latest transaction timestamp in the block (commit lag is measured from it). */
  lastTxTime?: string;
}

function payloadOf(tx: LedgerTransaction, onWarn: BlockRowsOptions['onWarn']): TracePayload | undefined {
  if (tx.validationCode !== 'VALID' || tx.event?.name !== TRACE_EVENT_NAME) return undefined;
  try {
    return parseTracePayload(tx.event.payload);
  } catch (err) {
    // Recorded, not projected: a payload we cannot read must not stop the ledger's history.
    onWarn?.(`unreadable ${TRACE_EVENT_NAME} payload: ${(err as Error).message}`, tx);
    return undefined;
  }
}

/** What builds a block's rows needs. */
export interface BlockRowsOptions {
  topicPrefix: string;
  onWarn?: (msg: string, tx: LedgerTransaction) => void;
}

/** A function that buffers the rows of one block (already verified) and returns its summary. */
export function blockRows(opts: BlockRowsOptions): (rows: RowBuffer, months: Set<string>, block: LedgerBlock) => BlockSummary {
  return (rows, months, block) => addBlock(rows, months, block, opts);
}

/** Buffers the rows of one block (already verified); returns its summary. */
function addBlock(rows: RowBuffer, months: Set<string>, block: LedgerBlock, opts: BlockRowsOptions): BlockSummary {
  const bn = block.number.toString();
  const summary: BlockSummary = { blockNumber: block.number, transactions: block.transactions.length, projected: 0, invalid: 0, outboxRows: 0 };
  const outboxBefore = rows.count(T.outbox);
  rows.add(T.blocks, [bn, block.headerHash, block.previousHash, block.dataHash, block.transactions.length]);
  for (const tx of block.transactions) {
    const payload = payloadOf(tx, opts.onWarn);
    const projects = payload !== undefined && !payload.replayOf;
    if (tx.validationCode !== 'VALID') summary.invalid++;
    if (tx.timestamp && (!summary.lastTxTime || tx.timestamp > summary.lastTxTime)) summary.lastTxTime = tx.timestamp;
    rows.add(T.transactions, [
      tx.txId,
      bn,
      tx.index,
      tx.validationCode,
      tx.type,
      tx.creatorMspId,
      tx.endorserMspIds,
      tx.chaincodeId ?? null,
      payload?.function ?? tx.args[0] ?? null,
      payload?.eventId ?? null,
      projects,
      payload?.replayOf?.txId ?? null,
      tx.timestamp || null,
    ]);
    // A config transaction in a committed block is in force (the orderer validated it; the genesis block carries no flags).
    if (tx.type === 'CONFIG') projectConfigBlock(rows, block, tx);
    if (tx.type !== 'ENDORSER_TRANSACTION') continue;
    if (tx.validationCode === 'VALID' && tx.event?.name === CONSORTIUM_EVENT_NAME) {
      try {
        projectGovernance(rows, tx, bn);
      } catch (err) {
        opts.onWarn?.(`unreadable ${CONSORTIUM_EVENT_NAME} payload: ${(err as Error).message}`, tx);
      }
    }
    const origin: RowOrigin = {
      txId: tx.txId,
      blockNumber: bn,
      txIndex: tx.index,
      creatorMsp: tx.creatorMspId,
      endorserMsps: tx.endorserMspIds,
      time: payload?.recordedAt ?? tx.timestamp,
    };
    let projected;
    if (projects) {
      summary.projected++;
      for (const rec of payload.records) projectRecord(rows, rec, origin);
      const ev = projectEvents(rows, payload.events, payload.eventId, origin);
      ev.months.forEach((m) => months.add(m));
      projectEpcisEvents(rows, payload, origin, tx.timestamp || origin.time);
      projected = { movements: ev.movements, records: payload.records };
    }
    const facts = { txId: tx.txId, blockNumber: bn, txIndex: tx.index, validationCode: tx.validationCode, creatorMsp: tx.creatorMspId, time: tx.timestamp };
    addOutboxMessages(rows, opts.topicPrefix, facts, payload, projected);
  }
  // Outbox rows never collapse (ON CONFLICT DO NOTHING keeps the first), so the count difference is this block's.
  summary.outboxRows = rows.count(T.outbox) - outboxBefore;
  return summary;
}
