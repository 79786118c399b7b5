import { expect } from 'chai';
import { reloadingLedgerClient, type LedgerBlock, type LedgerClient } from '../../../lib/fabric/src';

/** A fake connection: submissions wait until released; blocks come from a shared list as they are appended. */
function fakeConnection(name: string, chain: { blocks: bigint[]; wake: Set<() => void> }) {
  const pending: Array<() => void> = [];
  let closed = false;
  const client = {
    mspId: 'AMSP',
    peer: name,
    async submit() {
      if (closed) throw new Error(`${name} is closed`);
      await new Promise<void>((resolve) => pending.push(resolve));
      return { txId: name, blockNumber: 1n, payload: Buffer.alloc(0) };
    },
    async evaluate() {
      return Buffer.from(name);
    },
    async *blocks(so: { startBlock: bigint; signal?: AbortSignal }) {
      let next = so.startBlock;
      while (!so.signal?.aborted) {
        if (closed) throw new Error(`${name} is closed`);
        const n = chain.blocks.find((b) => b === next);
        if (n !== undefined) {
          yield { number: n, transactions: [], peer: name } as unknown as LedgerBlock;
          next += 1n;
          continue;
        }
        await new Promise<void>((resolve) => {
          chain.wake.add(resolve);
          so.signal?.addEventListener('abort', () => resolve());
        });
      }
    },
    certificates: () => [],
    peers: () => [],
    commitListeners: () => ({ peers: [], graceExpired: 0 }),
    close() {
      closed = true;
    },
  };
  return {
    client: client as unknown as LedgerClient,
    release: () => pending.splice(0).forEach((r) => r()),
    isClosed: () => closed,
    pending: () => pending.length,
  };
}

describe('ledger client reload (renewed identity)', () => {
  it('sends new calls to the new connection, lets calls under way finish on the old one, then closes it', async () => {
    const chain = { blocks: [] as bigint[], wake: new Set<() => void>() };
    const first = fakeConnection('first', chain);
    const second = fakeConnection('second', chain);
    const client = reloadingLedgerClient(first.client, async () => second.client);
    const under = client.submit({ fn: 'f' });
    await new Promise((r) => setImmediate(r));
    expect(first.pending()).to.equal(1);
    expect(await client.reload()).to.deep.equal({ carriedOver: 1 });
    expect(first.isClosed(), 'closed while a submission was under way').to.equal(false);
    expect(client.peer).to.equal('second');
    const after = client.submit({ fn: 'f' });
    await new Promise((r) => setImmediate(r));
    expect(second.pending()).to.equal(1);
    first.release();
    expect((await under).txId).to.equal('first');
    expect(first.isClosed()).to.equal(true);
    second.release();
    expect((await after).txId).to.equal('second');
    client.close();
    expect(second.isClosed()).to.equal(true);
  });

  it('keeps the old connection when the new one cannot be made', async () => {
    const chain = { blocks: [] as bigint[], wake: new Set<() => void>() };
    const first = fakeConnection('first', chain);
    const client = reloadingLedgerClient(first.client, async () => {
      throw new Error('the peer refused the identity');
    });
    let failed: unknown;
    await client.reload().catch((err: unknown) => (failed = err));
    expect(String(failed)).to.match(/refused the identity/);
    expect(first.isClosed()).to.equal(false);
    expect((await client.evaluate({ fn: 'q' })).toString()).to.equal('first');
  });

  it('moves a block stream to the new connection at the next block, without a gap or a repeat', async () => {
    const chain = { blocks: [0n, 1n, 2n], wake: new Set<() => void>() };
    const first = fakeConnection('first', chain);
    const second = fakeConnection('second', chain);
    const client = reloadingLedgerClient(first.client, async () => second.client);
    const stop = new AbortController();
    const seen: Array<[bigint, string]> = [];
    const it = client.blocks({ startBlock: 0n, signal: stop.signal })[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) {
      const b = (await it.next()).value as LedgerBlock & { peer: string };
      seen.push([b.number, b.peer]);
    }
    const waiting = it.next();
    await client.reload();
    chain.blocks.push(3n, 4n);
    chain.wake.forEach((w) => w());
    const b3 = (await waiting).value as LedgerBlock & { peer: string };
    const b4 = (await it.next()).value as LedgerBlock & { peer: string };
    seen.push([b3.number, b3.peer], [b4.number, b4.peer]);
    expect(seen).to.deep.equal([
      [0n, 'first'],
      [1n, 'first'],
      [2n, 'first'],
      [3n, 'second'],
      [4n, 'second'],
    ]);
    expect(first.isClosed(), 'the old connection closes once its stream moved').to.equal(true);
    stop.abort();
    chain.wake.forEach((w) => w());
    expect((await it.next()).done).to.equal(true);
    client.close();
  });
});
