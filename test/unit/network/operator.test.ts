import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { versionOfPackageId } from '../../../chaincode/src/config';
import { loadDevnetConfig } from '../../../network/src/config';
import { actingAdmins, parseNetworkFile } from '../../../network/src/operator/network-file';
import { majorityOf } from '../../../network/src/operator/rollout';
import { parseTopology } from '../../../network/src/topology';

describe('operator network file', () => {
  let dir: string;
  let file: string;
  const doc = (over: Record<string, unknown> = {}) => ({
    channel: 'supplychain',
    orderer: { endpoint: 'orderer0.example.com:7050', tlsCaFile: 'orderer-ca.pem' },
    organizations: [
      { mspId: 'RetailerMSP', peer: { endpoint: 'peer0.retailer.example.com:7051', tlsCaFile: 'retailer-ca.pem' }, admin: { mspDir: 'retailer-admin/msp' } },
      { mspId: 'SupplierMSP', peer: { endpoint: 'peer0.supplier.example.com:7051', tlsCaFile: 'supplier-ca.pem' } },
    ],
    ...over,
  });
  const parse = (d: unknown, name = 'network.json') => parseNetworkFile(JSON.stringify(d), path.join(dir, name));

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operator-network-'));
    file = path.join(dir, 'network.json');
    for (const f of ['orderer-ca.pem', 'retailer-ca.pem', 'supplier-ca.pem']) fs.writeFileSync(path.join(dir, f), 'pem');
    for (const sub of ['signcerts', 'keystore']) fs.mkdirSync(path.join(dir, 'retailer-admin', 'msp', sub), { recursive: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves paths against the file and keeps organisations without an admin', () => {
    const net = parse(doc());
    expect(net.file).to.equal(file);
    expect(net.orderer.tlsCaFile).to.equal(path.join(dir, 'orderer-ca.pem'));
    expect(net.organizations.map((o) => [o.mspId, o.admin?.mspDir])).to.deep.equal([
      ['RetailerMSP', path.join(dir, 'retailer-admin', 'msp')],
      ['SupplierMSP', undefined],
    ]);
  });

  it('reads YAML too', () => {
    const yaml = [
      'channel: supplychain',
      'orderer: { endpoint: "o:7050", tlsCaFile: orderer-ca.pem }',
      'organizations:',
      '  - mspId: SupplierMSP',
      '    peer: { endpoint: "p:7051", tlsCaFile: supplier-ca.pem }',
    ].join('\n');
    expect(parseNetworkFile(yaml, path.join(dir, 'network.yaml')).organizations[0].peer.endpoint).to.equal('p:7051');
  });

  it('names the field of a bad value', () => {
    expect(() => parse(doc({ channel: 'Bad Channel' }))).to.throw(/channel must be a channel name/);
    expect(() => parse(doc({ orderer: { endpoint: 'orderer0', tlsCaFile: 'orderer-ca.pem' } }))).to.throw(/orderer\.endpoint must be host:port/);
    expect(() => parse(doc({ orderer: { endpoint: 'o:7050', tlsCaFile: 'missing.pem' } }))).to.throw(/orderer\.tlsCaFile.*no file/);
    expect(() => parse(doc({ organizations: [] }))).to.throw(/organizations must list at least one/);
    const noKeystore = doc();
    (noKeystore.organizations as any)[0].admin = { mspDir: '.' };
    expect(() => parse(noKeystore)).to.throw(/organizations\[0\]\.admin\.mspDir.*no signcerts/);
    const half = doc();
    (half.organizations as any)[0].admin = { mspDir: 'retailer-admin/msp', tlsCertFile: 'retailer-ca.pem' };
    expect(() => parse(half)).to.throw(/both tlsCertFile and tlsKeyFile/);
    const twice = doc();
    (twice.organizations as any)[1].mspId = 'RetailerMSP';
    expect(() => parse(twice)).to.throw(/lists RetailerMSP twice/);
  });

  it('acts with the admins given, and refuses one the file has no identity for', () => {
    const net = parse(doc());
    expect(actingAdmins(net).map((o) => o.mspId)).to.deep.equal(['RetailerMSP']);
    expect(actingAdmins(net, ['RetailerMSP']).map((o) => o.mspId)).to.deep.equal(['RetailerMSP']);
    expect(() => actingAdmins(net, ['SupplierMSP'])).to.throw(/--admins: SupplierMSP has no admin identity/);
  });

  it('needs a majority of organisations for a commit', () => {
    expect([1, 2, 3, 4, 5, 6].map(majorityOf)).to.deep.equal([1, 2, 2, 3, 3, 4]);
  });
});

describe('chaincode server version', () => {
  it('is the version in the package label', () => {
    expect(versionOfPackageId(`traceability_1.1:${'a'.repeat(64)}`)).to.equal('1.1');
    expect(versionOfPackageId('registry2_2.0.3:abc')).to.equal('2.0.3');
    expect(versionOfPackageId('traceability:abc')).to.equal(undefined);
  });
});

describe('a removed organisation in the topology', () => {
  it('drops out of the devnet while the others keep their ports', () => {
    const topology = parseTopology({ suppliers: 3, removed: ['supplier2'] });
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-removed', topology });
    expect(cfg.orgs.map((o) => `${o.mspId}:${o.peerPort}`)).to.deep.equal(['RetailerMSP:9100', 'SupplierMSP:9200', 'AuditorMSP:9300', 'Supplier3MSP:9610']);
    expect(() => parseTopology({ removed: 'supplier2' })).to.throw(/removed must list organisation names/);
  });
});
