import { expect } from 'chai';
import request from 'supertest';
import { createTestGateway, type TestGateway } from './fakes';

describe('gateway readiness: the channel peers', () => {
  let t: TestGateway;
  afterEach(async () => t?.close());

  it('lists every peer; one of another organisation out of reach makes it degraded, not unready', async () => {
    t = await createTestGateway();
    const height = t.ledger.height.bind(t.ledger);
    t.ledger.height = async (peer?: string) => {
      if (peer === 'peer0.auditor:1') throw new Error('GetChainInfo on peer0.auditor:1 failed: 14 UNAVAILABLE: connect ECONNREFUSED');
      return height(peer);
    };
    t.ledger.commitListeners = () => ({
      peers: [
        { name: 'peer0.supplier:1', mspId: 'SupplierMSP', listening: true },
        { name: 'peer0.auditor:1', mspId: 'AuditorMSP', listening: false },
      ],
      graceExpired: 2,
    });
    const res = await request(t.gateway.app).get('/readyz').expect(200);
    expect(res.body.status).to.equal('degraded');
    expect(res.body.peers).to.have.length(3);
    expect(res.body.peers.find((p: { name: string }) => p.name === 'peer0.auditor:1')).to.include({ reachable: false, commitStream: false });
    expect(res.body.peers.find((p: { name: string }) => p.name === 'peer0.supplier:1')).to.include({ reachable: true, commitStream: true });

    const metrics = (await request(t.gateway.app).get('/metrics').expect(200)).text;
    expect(metrics).to.match(/gateway_peer_commit_stream_up\{peer="peer0.auditor:1",peer_msp="AuditorMSP",msp="SupplierMSP"\} 0/);
    expect(metrics).to.match(/gateway_commit_grace_expired_total\{msp="SupplierMSP"\} 2/);
  });

  it('is ready when every peer answers', async () => {
    t = await createTestGateway();
    const res = await request(t.gateway.app).get('/readyz').expect(200);
    expect(res.body.status).to.equal('ready');
    expect(res.body.peers.every((p: { reachable: boolean }) => p.reachable)).to.equal(true);
  });
});
