/**
 * A minimal contract that proves the path from client to committed block:
 * it writes one key and emits one event. The domain rules live in the
 * traceability contract.
 */
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

const PREFIX = 'probe';

@Info({ title: 'ProbeContract', description: 'Writes and reads a probe key to check the ledger path' })
export class ProbeContract extends Contract {
  constructor() {
    super('probe');
  }

  /** Stores `value` under `key` and emits a ProbeWritten event. */
  @Transaction()
  @Returns('string')
  public async Put(ctx: Context, key: string, value: string): Promise<string> {
    if (!key) throw new Error('INVALID_ARGUMENT: key is required');
    const ck = ctx.stub.createCompositeKey(PREFIX, [key]);
    const record = JSON.stringify({ key, value, txId: ctx.stub.getTxID(), msp: ctx.clientIdentity.getMSPID() });
    await ctx.stub.putState(ck, Buffer.from(record));
    ctx.stub.setEvent('ProbeWritten', Buffer.from(record));
    return record;
  }

  /** Returns the record stored under `key`, or an empty string. */
  @Transaction(false)
  @Returns('string')
  public async Get(ctx: Context, key: string): Promise<string> {
    const data = await ctx.stub.getState(ctx.stub.createCompositeKey(PREFIX, [key]));
    return Buffer.from(data).toString('utf8');
  }
}
