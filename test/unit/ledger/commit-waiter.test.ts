import { expect } from 'chai';
import type { Network } from 'fabric-network';
import { commitWaiter } from '../../../lib/fabric/src';

type Listener = (error?: unknown, event?: unknown) => void;

/** A channel of two orgs' peers whose commit listeners the test can see and fire. */
function fakeNetwork() {
  const listeners = new Set<Listener>();
  const network = {
    getChannel: () => ({
      getEndorsers: () => [
        { name: 'peer-a', mspid: 'AMSP' },
        { name: 'peer-b', mspid: 'BMSP' },
      ],
    }),
    addCommitListener: async (l: Listener) => {
      listeners.add(l);
    },
    removeCommitListener: (l: Listener) => {
      listeners.delete(l);
    },
  } as unknown as Network;
  const commit = (peer: string, isValid = true) => {
    for (const l of [...listeners])
      l(undefined, { peer: { name: peer }, isValid, status: isValid ? 'VALID' : 'MVCC_READ_CONFLICT', getBlockEvent: () => ({ blockNumber: 7 }) });
  };
  return { network, listeners, commit };
}

describe('commit waiter', () => {
  it('reports the block once every peer committed, and stops listening', async () => {
    const f = fakeNetwork();
    const w = commitWaiter(f.network, 'AMSP', 'tx1', 10_000);
    await w.startListening();
    const waiting = w.waitForEvents();
    f.commit('peer-a');
    f.commit('peer-b');
    await waiting;
    expect(w.blockNumber()).to.equal(7n);
    expect(f.listeners.size).to.equal(0);
  });

  it('stops listening after an invalid transaction too', async () => {
    const f = fakeNetwork();
    const w = commitWaiter(f.network, 'AMSP', 'tx2', 10_000);
    await w.startListening();
    const waiting = w.waitForEvents();
    f.commit('peer-a', false);
    const err = await waiting.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/MVCC_READ_CONFLICT|tx2/);
    expect(f.listeners.size).to.equal(0);
  });

  it('leaves no listener behind after many transactions', async () => {
    const f = fakeNetwork();
    for (let i = 0; i < 50; i++) {
      const w = commitWaiter(f.network, 'AMSP', `tx-${i}`, 10_000);
      await w.startListening();
      const waiting = w.waitForEvents();
      f.commit('peer-a');
      f.commit('peer-b');
      await waiting;
    }
    expect(f.listeners.size).to.equal(0);
  });

  it('reports the commit when the listener is already gone (a peer stream that failed dropped it)', async () => {
    const f = fakeNetwork();
    (f.network as unknown as { removeCommitListener: () => void }).removeCommitListener = () => {
      throw new Error('eventListener not found');
    };
    const w = commitWaiter(f.network, 'AMSP', 'tx-gone', 10_000);
    await w.startListening();
    const waiting = w.waitForEvents();
    f.commit('peer-a');
    f.commit('peer-b');
    await waiting;
    expect(w.blockNumber()).to.equal(7n);
    expect(() => w.cancelListening()).to.not.throw();
  });
});
