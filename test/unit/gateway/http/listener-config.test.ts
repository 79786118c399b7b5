import { expect } from 'chai';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createListener, loadListenerConfig, parseTrustProxy } from '../../../../lib/platform/src';
import { createTestPki, type TestPki } from '../../../fixtures/test-pki';

const NAMES = { cert: 'GATEWAY_TLS_CERT', key: 'GATEWAY_TLS_KEY', trustProxy: 'GATEWAY_TRUST_PROXY' };

describe('listener settings: HTTPS files and trusted proxies', () => {
  let pki: TestPki;
  let dir: string;
  before(() => {
    pki = createTestPki();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'listener-'));
  });
  after(() => {
    pki.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trusts no proxy unless told, and never every proxy', () => {
    expect(parseTrustProxy(undefined, 'X')).to.equal(false);
    expect(parseTrustProxy('', 'X')).to.equal(false);
    expect(parseTrustProxy('false', 'X')).to.equal(false);
    expect(() => parseTrustProxy('true', 'GATEWAY_TRUST_PROXY')).to.throw(/GATEWAY_TRUST_PROXY.*any client/);
  });

  it('takes a hop count or addresses, subnets and named ranges, naming the variable otherwise', () => {
    expect(parseTrustProxy('1', 'X')).to.equal(1);
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,fd00::/8,loopback', 'X')).to.deep.equal(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    expect(() => parseTrustProxy('11', 'INDEXER_TRUST_PROXY')).to.throw(/INDEXER_TRUST_PROXY/);
    expect(() => parseTrustProxy('10.0.0.0/33', 'X')).to.throw(/10\.0\.0\.0\/33/);
    expect(() => parseTrustProxy('proxy.internal', 'X')).to.throw(/proxy\.internal/);
  });

  it('needs both HTTPS files, readable and belonging together', () => {
    const ca = pki.ca('listener');
    const a = pki.issue(ca, 'a', { serverNames: ['127.0.0.1'] });
    const b = pki.issue(ca, 'b', { serverNames: ['127.0.0.1'] });
    fs.writeFileSync(path.join(dir, 'a.pem'), a.certificatePem);
    fs.writeFileSync(path.join(dir, 'a.key'), a.privateKeyPem);
    fs.writeFileSync(path.join(dir, 'b.key'), b.privateKeyPem);
    expect(loadListenerConfig({}, NAMES)).to.deep.equal({ tls: undefined, trustProxy: false });
    expect(() => loadListenerConfig({ GATEWAY_TLS_CERT: path.join(dir, 'a.pem') }, NAMES)).to.throw(/GATEWAY_TLS_KEY/);
    expect(() => loadListenerConfig({ GATEWAY_TLS_CERT: path.join(dir, 'nope.pem'), GATEWAY_TLS_KEY: path.join(dir, 'a.key') }, NAMES)).to.throw(
      /GATEWAY_TLS_CERT: cannot read/,
    );
    expect(() => loadListenerConfig({ GATEWAY_TLS_CERT: path.join(dir, 'a.pem'), GATEWAY_TLS_KEY: path.join(dir, 'b.key') }, NAMES)).to.throw(
      /GATEWAY_TLS_KEY/,
    );
    const ok = loadListenerConfig({ GATEWAY_TLS_CERT: path.join(dir, 'a.pem'), GATEWAY_TLS_KEY: path.join(dir, 'a.key'), GATEWAY_TRUST_PROXY: '1' }, NAMES);
    expect(ok.trustProxy).to.equal(1);
    expect(ok.tls?.certFile).to.equal(path.join(dir, 'a.pem'));
  });

  it('serves HTTPS and hands out a replaced certificate to new connections after reloadTls', async () => {
    const ca = pki.ca('reload');
    const first = pki.issue(ca, 'first', { serverNames: ['127.0.0.1'] });
    const second = pki.issue(ca, 'second', { serverNames: ['127.0.0.1'] });
    const tls = { certFile: path.join(dir, 'served.pem'), keyFile: path.join(dir, 'served.key') };
    fs.writeFileSync(tls.certFile, first.certificatePem);
    fs.writeFileSync(tls.keyFile, first.privateKeyPem);
    const listener = createListener((_req, res) => res.end('ok'), tls);
    expect(listener.scheme).to.equal('https');
    await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
    const port = (listener.server.address() as AddressInfo).port;
    const servedSubject = () =>
      new Promise<string>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port, ca: ca.certificatePem, agent: false }, (res) => {
          const subject = String((res.socket as TLSSocket).getPeerCertificate().subject.CN);
          res.resume();
          res.on('end', () => resolve(subject));
        });
        req.once('error', reject);
      });
    try {
      expect(await servedSubject()).to.equal('first');
      // A half-replaced pair (new key, old certificate) is refused and the served pair stays.
      fs.writeFileSync(tls.keyFile, second.privateKeyPem);
      expect(() => listener.reloadTls()).to.throw();
      expect(await servedSubject()).to.equal('first');
      fs.writeFileSync(tls.certFile, second.certificatePem);
      listener.reloadTls();
      expect(await servedSubject()).to.equal('second');
    } finally {
      listener.server.close();
    }
  });
});
