/**
 * Everything a submitting transaction handler needs: the caller, the
 * transaction's time and ids, world state, and the list of facts it records.
 */
import type { Context } from 'fabric-contract-api';
import { readMember, type Member } from '../consortium/registry';
import { buildEpcisEvent, type EpcisEvent, type FactSpec } from './epcis';
import { Ledger } from './ledger';
import type { StockLine } from '../../../lib/domain/src';

export class TxEnv {
  readonly ledger: Ledger;
  readonly mspId: string;
  readonly txId: string;
  /** Transaction time, ISO-8601 UTC with milliseconds. */
  readonly time: string;
  /** The caller's consortium registry entry (undefined: not a member); set by {@link loadCaller}. */
  member: Member | undefined;
  private readonly facts: EpcisEvent[] = [];
  private readonly lines: StockLine[] = [];
  private attachedLines = 0;

  constructor(
    readonly ctx: Context,
    readonly fn: string,
    readonly eventId: string,
    readonly actor: string | undefined,
    /** World state shared with other submissions of the same transaction (a batch); a fresh view when absent. */
    ledger?: Ledger,
  ) {
    this.ledger = ledger ?? new Ledger(ctx);
    this.mspId = ctx.clientIdentity.getMSPID();
    this.txId = ctx.stub.getTxID();
    this.time = txTimeIso(ctx);
  }

  /** Reads the caller's registry entry once per transaction, before any rule needs its roles. */
  async loadCaller(): Promise<void> {
    this.member = await readMember(this.ctx, this.mspId);
  }

  /** Records a stock change; it must later be attached to a fact via {@link record}. */
  noteStockLine(line: StockLine): StockLine {
    this.lines.push(line);
    return line;
  }

  /** Adds one EPCIS-shaped fact to this transaction's event payload. */
  record(spec: FactSpec): EpcisEvent {
    this.attachedLines += spec.stock?.length ?? 0;
    const event = buildEpcisEvent(spec, {
      eventId: this.eventId,
      index: this.facts.length,
      eventTime: this.time,
      txId: this.txId,
      mspId: this.mspId,
      actor: this.actor,
      fn: this.fn,
    });
    this.facts.push(event);
    return event;
  }

  /** Adds an already-built event (an EPCIS error declaration repeats the original event). */
  recordCopy(event: EpcisEvent): void {
    this.facts.push(event);
  }

  events(): EpcisEvent[] {
    if (this.attachedLines !== this.lines.length) {
      // A programming error, not a client error: a stock change would be invisible to the indexer.
      throw new Error(`internal: ${this.lines.length} stock changes but ${this.attachedLines} reported on events`);
    }
    return this.facts;
  }
}

/** The transaction timestamp (same on every endorser) as ISO-8601 UTC. */
export function txTimeIso(ctx: Context): string {
  return timestampIso(ctx.stub.getTxTimestamp());
}

/** A protobuf Timestamp (seconds as Long, bigint or number) as ISO-8601 UTC with milliseconds. */
export function timestampIso(ts: { seconds: unknown; nanos?: number }): string {
  const raw = ts.seconds;
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : Number((raw as { toString(): string }).toString());
  const millis = Math.floor((ts.nanos ?? 0) / 1_000_000);
  return new Date(seconds * 1000 + millis).toISOString();
}
