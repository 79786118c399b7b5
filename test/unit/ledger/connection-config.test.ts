import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadLedgerConfig, parseConnectionProfile, putWalletIdentity, readIdentity, selectPeer } from '../../../lib/fabric/src';
import { ConfigError } from '../../../lib/platform/src';

/** A self-signed P-256 certificate and key, made with openssl. */
function keyPair(dir: string, name: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '1'],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

describe('connection settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccp-'));
  const user = keyPair(dir, 'user');
  const other = keyPair(dir, 'other');
  const yamlProfile = path.join(dir, 'org1.yaml');
  fs.writeFileSync(
    yamlProfile,
    [
      'name: test-network-org1',
      'client:',
      '  organization: Org1',
      'organizations:',
      '  Org1:',
      '    mspid: Org1MSP',
      '    peers: [peer0.org1.example.com]',
      'peers:',
      '  peer0.org1.example.com:',
      '    url: grpcs://peer0.org1.example.com:7051',
      '    tlsCACerts:',
      '      path: user.pem',
      '    grpcOptions:',
      '      ssl-target-name-override: peer0.org1.example.com',
      '',
    ].join('\n'),
  );
  const env = (over: Record<string, string | undefined> = {}) => ({
    FABRIC_CONNECTION_PROFILE: yamlProfile,
    FABRIC_CERT_FILE: user.cert,
    FABRIC_KEY_FILE: user.key,
    FABRIC_CHANNEL: 'mychannel',
    ...over,
  });
  const failsOn = (e: Record<string, string | undefined>, setting: string) => {
    let err: unknown;
    try {
      loadLedgerConfig(e as NodeJS.ProcessEnv, dir);
    } catch (x) {
      err = x;
    }
    expect(err, `no error for ${setting}`).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).setting).to.equal(setting);
    expect((err as Error).message.startsWith(`${setting}: `)).to.equal(true);
  };

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a YAML profile as fabric-samples writes it: TLS CA by path, host name override, client organisation', () => {
    const cfg = loadLedgerConfig(env(), dir);
    expect(cfg.mspId).to.equal('Org1MSP');
    expect(cfg.asLocalhost).to.equal(false);
    expect(cfg.chaincode).to.equal('traceability');
    const peer = selectPeer(cfg.profile, 'Org1MSP');
    expect(peer).to.include({ endpoint: 'peer0.org1.example.com:7051', hostnameOverride: 'peer0.org1.example.com' });
    expect(peer.tlsCaPem).to.include('BEGIN CERTIFICATE');
  });

  it('reads a JSON profile with the TLS CA inline', () => {
    const p = parseConnectionProfile(
      JSON.stringify({
        organizations: { A: { mspid: 'AMSP', peers: ['p'] } },
        peers: { p: { url: 'grpcs://localhost:7100', tlsCACerts: { pem: fs.readFileSync(user.cert, 'utf8') } } },
      }),
      'a.json',
    );
    expect(selectPeer(p, 'AMSP').endpoint).to.equal('localhost:7100');
  });

  it('names the setting at fault', () => {
    failsOn(env({ FABRIC_CONNECTION_PROFILE: undefined }), 'FABRIC_CONNECTION_PROFILE');
    failsOn(env({ FABRIC_CONNECTION_PROFILE: path.join(dir, 'missing.json') }), 'FABRIC_CONNECTION_PROFILE');
    failsOn(env({ FABRIC_KEY_FILE: path.join(dir, 'missing.key') }), 'FABRIC_KEY_FILE');
    failsOn(env({ FABRIC_KEY_FILE: other.key }), 'FABRIC_KEY_FILE');
    failsOn(env({ FABRIC_CERT_FILE: undefined }), 'FABRIC_CERT_FILE');
    failsOn(env({ FABRIC_CHANNEL: undefined }), 'FABRIC_CHANNEL');
    failsOn(env({ FABRIC_CHANNEL: 'My Channel' }), 'FABRIC_CHANNEL');
    failsOn(env({ FABRIC_MSP_ID: 'Org9MSP' }), 'FABRIC_MSP_ID');
    failsOn(env({ FABRIC_PEER: 'peer9.org1.example.com' }), 'FABRIC_PEER');
    failsOn(env({ FABRIC_TLS_CERT_FILE: user.cert }), 'FABRIC_TLS_KEY_FILE');
    failsOn(env({ FABRIC_DISCOVERY_AS_LOCALHOST: 'maybe' }), 'FABRIC_DISCOVERY_AS_LOCALHOST');
    failsOn(env({ FABRIC_WALLET_DIR: dir }), 'FABRIC_WALLET_DIR');
  });

  it('refuses a peer url without TLS, naming the profile setting', () => {
    expect(() =>
      parseConnectionProfile(
        JSON.stringify({ organizations: { A: { mspid: 'AMSP' } }, peers: { p: { url: 'grpc://h:1', tlsCACerts: { pem: 'x' } } } }),
        'a.json',
      ),
    ).to.throw(ConfigError, /FABRIC_CONNECTION_PROFILE: peers\.p\.url must be grpcs/);
  });

  it('takes the identity from a file-system wallet by label', async () => {
    const walletDir = path.join(dir, 'wallet');
    await putWalletIdentity(walletDir, 'appUser', {
      mspId: 'Org1MSP',
      certificatePem: fs.readFileSync(user.cert, 'utf8'),
      privateKeyPem: fs.readFileSync(user.key, 'utf8'),
    });
    const cfg = loadLedgerConfig(
      env({ FABRIC_CERT_FILE: undefined, FABRIC_KEY_FILE: undefined, FABRIC_WALLET_DIR: walletDir, FABRIC_IDENTITY: 'appUser' }),
      dir,
    );
    const id = await readIdentity(cfg.identity);
    expect(id.mspId).to.equal('Org1MSP');
    expect(id.certificatePem).to.include('BEGIN CERTIFICATE');
    let missing: unknown;
    await readIdentity({ ...cfg.identity, label: 'nobody' } as typeof cfg.identity).catch((e: unknown) => (missing = e));
    expect((missing as ConfigError).setting).to.equal('FABRIC_IDENTITY');
  });
});
