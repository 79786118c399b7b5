import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { loadIndexerConfig } from '../../../indexer/src/config';

/**
 * docs/configuration.md: "An unset or empty variable takes its default". Each
 * loader is read twice, once without the variable and once with it set to the
 * empty string (as `VAR= node …` or an env file with `VAR=` leaves it), and the
 * two must agree.
 */
describe('an empty variable takes its default', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-env-'));
  const key = path.join(dir, 'user.key');
  const cert = path.join(dir, 'user.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=user', '-days', '1'],
    {
      stdio: 'ignore',
    },
  );
  const profile = path.join(dir, 'profile.json');
  fs.writeFileSync(
    profile,
    JSON.stringify({
      name: 'p',
      client: { organization: 'Org1' },
      organizations: { Org1: { mspid: 'Org1MSP', peers: ['peer0'] } },
      peers: { peer0: { url: 'grpcs://localhost:7051', tlsCACerts: { path: cert } } },
    }),
  );
  const base: NodeJS.ProcessEnv = {
    FABRIC_CONNECTION_PROFILE: profile,
    FABRIC_CERT_FILE: cert,
    FABRIC_KEY_FILE: key,
    FABRIC_CHANNEL: 'supplychain',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    INDEXER_KAFKA: 'off',
  };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const gatewaySettings = [
    'GATEWAY_HOST',
    'GATEWAY_PORT',
    'GATEWAY_BODY_LIMIT',
    'DEV_ISSUER_KEY_FILE',
    'LOG_LEVEL',
    'AUTH_AUDIENCE',
    'AUTH_ALGORITHMS',
    'AUTH_ORG_CLAIM',
    'FABRIC_PORT_BASE',
  ];
  for (const name of gatewaySettings) {
    it(`gateway: ${name}=`, () => {
      expect(JSON.stringify(loadGatewayConfig({ ...base, [name]: '' }))).to.equal(JSON.stringify(loadGatewayConfig(base)));
    });
  }

  const indexerSettings = [
    'INDEXER_HTTP_HOST',
    'INDEXER_HTTP_PORT',
    'INDEXER_SCHEMA',
    'INDEXER_TOPIC_PREFIX',
    'INDEXER_EVENT_SOURCE',
    'DEV_ISSUER_KEY_FILE',
    'LOG_LEVEL',
    'AUTH_AUDIENCE',
  ];
  for (const name of indexerSettings) {
    it(`indexer: ${name}=`, () => {
      expect(JSON.stringify(loadIndexerConfig({ ...base, [name]: '' }))).to.equal(JSON.stringify(loadIndexerConfig(base)));
    });
  }

  it('the defaults are the documented ones', () => {
    const gw = loadGatewayConfig({ ...base, GATEWAY_HOST: '', GATEWAY_BODY_LIMIT: '' });
    expect([gw.host, gw.port, gw.bodyLimit, gw.auth.devKeyFile]).to.deep.equal(['127.0.0.1', 7500, '1mb', 'gateway/.dev-issuer/7000-Org1MSP.json']);
    const idx = loadIndexerConfig({ ...base, INDEXER_HTTP_HOST: '' });
    expect([idx.http.host, idx.http.port, idx.schema]).to.deep.equal(['127.0.0.1', 7910, 'indexer']);
  });

  it("the gateway's dev issuer key follows the devnet port base, as mint-token reads it", () => {
    expect(loadGatewayConfig({ ...base, FABRIC_PORT_BASE: '23000' }).auth.devKeyFile).to.equal('gateway/.dev-issuer/23000-Org1MSP.json');
  });
});
