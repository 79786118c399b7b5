import { expect } from 'chai';
import { certificateValidity, secondsUntilExpiry } from '../../../lib/fabric/src';
import { createMetrics } from '../../../gateway/src/http/metrics';
import { createIndexerMetrics } from '../../../indexer/src/query/metrics';
import { createTestPki, type TestPki } from '../../fixtures/test-pki';

describe('certificate expiry as a metric', () => {
  let pki: TestPki;
  before(() => (pki = createTestPki()));
  after(() => pki.close());

  it('reads when a PEM certificate expires', () => {
    const ca = pki.ca('Expiry'); // valid for 2 days
    const v = certificateValidity('identity', ca.certificatePem);
    expect(v.subject).to.match(/CN=ca\.Expiry/);
    const left = secondsUntilExpiry(v);
    expect(left).to.be.within(86_400, 2 * 86_400);
    expect(secondsUntilExpiry(v, v.notAfter.getTime() + 5000)).to.equal(-5);
  });

  it('is exported by the gateway and the indexer per kind, below the 30-day alert threshold here', async () => {
    const ca = pki.ca('Expiry2');
    const certs = () => [certificateValidity('identity', ca.certificatePem), certificateValidity('client_tls', ca.certificatePem)];
    const gw = createMetrics({ labels: { msp: 'AMSP' }, ledger: { certificates: certs, commitListeners: () => ({ peers: [], graceExpired: 0 }) } });
    const ix = createIndexerMetrics({ certificates: certs });
    for (const [name, text] of [
      ['gateway_certificate_expiry_seconds', await gw.registry.metrics()],
      ['indexer_certificate_expiry_seconds', await ix.registry.metrics()],
    ]) {
      for (const kind of ['identity', 'client_tls']) {
        const m = new RegExp(`${name}\\{kind="${kind}"[^}]*\\} (\\d+)`).exec(text);
        expect(m, `${name} ${kind}`).to.not.equal(null);
        expect(Number(m![1])).to.be.within(86_400, 30 * 86_400);
      }
    }
  });
});
