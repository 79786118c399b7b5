import { expect } from 'chai';
import type { Network } from 'fabric-network';
import { commitWaiter, createCommitPeers } from '../../../lib/fabric/src';

type Listener = (error?: unknown, event?: unknown) => void;

/** fabric-common's EventService as far as its start/in-use marks go: a failed start leaves it "in use". */
function fakeService(peer: { reachable: boolean }) {
  return {
    started: false,
    inUse: false,
    closes: 0,
    isStarted() {
      return this.started;
    },
    isInUse() {
      return this.inUse;
    },
    close() {
      this.closes += 1;
      this.inUse = false;
      this.started = false;
    },
    async start() {
      if (this.inUse || this.started) return;
      this.inUse = true;
      if (!peer.reachable) throw new Error('Event service is not connected');
      this.started = true;
    },
  };
}

/** A channel of two orgs' peers: peer-a (AMSP, own) and peer-b (BMSP), whose reachability the test sets. */
function fakeChannel() {
  const endorsers = [
    { name: 'peer-a', mspid: 'AMSP' },
    { name: 'peer-b', mspid: 'BMSP' },
  ];
  const reach = { 'peer-a': { reachable: true }, 'peer-b': { reachable: true } } as Record<string, { reachable: boolean }>;
  const services = Object.fromEntries(endorsers.map((e) => [e.name, fakeService(reach[e.name])]));
  const listeners = new Set<Listener>();
  const network = {
    getChannel: () => ({ getEndorsers: () => endorsers }),
    eventServiceManager: {
      getCommitEventService: (p: { name: string }) => services[p.name],
      startEventService: (s: ReturnType<typeof fakeService>) => s.start(),
    },
    // As fabric-network's CommitListenerSession: start each peer's service, report start failures to the listener.
    addCommitListener: async (l: Listener, peers: { name: string }[]) => {
      listeners.add(l);
      for (const p of peers) {
        try {
          await services[p.name].start();
        } catch (err) {
          l(Object.assign(err as Error, { peer: p }));
        }
      }
    },
    removeCommitListener: (l: Listener) => listeners.delete(l),
  } as unknown as Network;
  const commit = (peer: string) => {
    if (!services[peer].started) return;
    for (const l of [...listeners]) l(undefined, { peer: { name: peer }, isValid: true, status: 'VALID', getBlockEvent: () => ({ blockNumber: 3 }) });
  };
  return { network, reach, services, commit, listeners };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('commit peers: a restarted peer is listened on again', () => {
  it('leaves a peer of another organisation that is down out of commit waits, and takes it back once its stream restarts', async () => {
    const f = fakeChannel();
    const peers = createCommitPeers(f.network, { mspId: 'AMSP', retryMs: 10, maxRetryMs: 20 });
    try {
      f.reach['peer-b'].reachable = false;
      // The first transaction after the peer went away learns it from the failed start.
      const w1 = commitWaiter(f.network, 'AMSP', 'tx1', 10_000, { peers });
      await w1.startListening();
      const waiting = w1.waitForEvents();
      f.commit('peer-a');
      await waiting; // no grace period: peer-b reported its failure
      expect(f.services['peer-b'].inUse, 'the failed start leaves the service in use').to.equal(true);
      expect(peers.status().find((p) => p.name === 'peer-b')).to.include({ listening: false });

      // While it is down, commit waits leave it out: the own peer's commit is enough.
      let graceExpired = 0;
      for (let i = 0; i < 3; i++) {
        const w = commitWaiter(f.network, 'AMSP', `tx-down-${i}`, 10_000, { peers, onGraceExpired: () => (graceExpired += 1) });
        await w.startListening();
        const p = w.waitForEvents();
        f.commit('peer-a');
        await p;
      }
      expect(graceExpired).to.equal(0);

      // It comes back: the background reconnect resets the stuck service and starts it.
      f.reach['peer-b'].reachable = true;
      await until(() => peers.status().every((p) => p.listening));
      expect(f.services['peer-b'].closes).to.be.greaterThan(0);
      expect(f.services['peer-b'].started).to.equal(true);

      // And the next commit waits for it again.
      const w2 = commitWaiter(f.network, 'AMSP', 'tx2', 10_000, { peers });
      await w2.startListening();
      let settled = false;
      const p2 = w2.waitForEvents().then(() => (settled = true));
      f.commit('peer-a');
      await new Promise((r) => setTimeout(r, 20));
      expect(settled, 'waits for peer-b within the grace period').to.equal(false);
      f.commit('peer-b');
      await p2;
    } finally {
      peers.close();
    }
  });

  it('treats a stream that stopped between two transactions as down without waiting for it', async () => {
    const f = fakeChannel();
    const peers = createCommitPeers(f.network, { mspId: 'AMSP', retryMs: 10, maxRetryMs: 20 });
    try {
      const w1 = commitWaiter(f.network, 'AMSP', 'tx1', 10_000, { peers });
      await w1.startListening();
      const p1 = w1.waitForEvents();
      f.commit('peer-a');
      f.commit('peer-b');
      await p1;
      // The peer stops while no transaction listens: its service closes itself (as fabric-common does on a stream error).
      f.reach['peer-b'].reachable = false;
      f.services['peer-b'].close();
      const selected = peers.select([
        { name: 'peer-a', mspid: 'AMSP' },
        { name: 'peer-b', mspid: 'BMSP' },
      ] as never);
      expect(selected.map((p) => p.name)).to.deep.equal(['peer-a']);
      f.reach['peer-b'].reachable = true;
      await until(() => peers.status().every((p) => p.listening));
    } finally {
      peers.close();
    }
  });

  it('always listens on the own organisation’s peer, resetting its stream after a failed start', async () => {
    const f = fakeChannel();
    const peers = createCommitPeers(f.network, { mspId: 'AMSP', retryMs: 10 });
    try {
      f.reach['peer-a'].reachable = false;
      f.reach['peer-b'].reachable = false;
      const w1 = commitWaiter(f.network, 'AMSP', 'tx1', 10_000, { peers });
      await w1.startListening();
      const err = await w1.waitForEvents().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/no peer of AMSP reported/);
      f.reach['peer-a'].reachable = true;
      const w2 = commitWaiter(f.network, 'AMSP', 'tx2', 10_000, { peers });
      await w2.startListening();
      const p2 = w2.waitForEvents();
      f.commit('peer-a');
      await p2;
      expect(w2.blockNumber()).to.equal(3n);
    } finally {
      peers.close();
    }
  });
});
