import { expect } from 'chai';
import { loadDevnetConfig } from '../../../network/src/config';
import { channelConfig } from '../../../network/src/channel-config';
import { majorityOf } from '../../../network/src/channel-update';
import { addedOrgPrefix, devnetMember } from '../../../network/src/consortium-seed';
import { checkOrgName, parseTopology, topologyOrgs } from '../../../network/src/topology';
import { cryptoConfig } from '../../../network/src/crypto-material';
import { peerNodeName } from '../../../network/src/node-config';

describe('devnet topology', () => {
  it('defaults to retailer, one supplier, auditor and one orderer', () => {
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-default' });
    expect(cfg.orgs.map((o) => `${o.mspId}:${o.peerPort}`)).to.deep.equal(['RetailerMSP:9100', 'SupplierMSP:9200', 'AuditorMSP:9300']);
    expect(cfg.orderers.map((o) => o.name)).to.deep.equal(['orderer0']);
  });

  it('adds suppliers and carriers after the first three, on ports clear of the chaincode server and gateways', () => {
    const topology = parseTopology({ suppliers: '3', carriers: 2, orderers: 3 });
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-five', topology });
    expect(cfg.orgs.map((o) => `${o.mspId}:${o.role}:${o.peerPort}`)).to.deep.equal([
      'RetailerMSP:retailer:9100',
      'SupplierMSP:supplier:9200',
      'AuditorMSP:auditor:9300',
      'Supplier2MSP:supplier:9600',
      'Supplier3MSP:supplier:9610',
      'CarrierMSP:carrier:9620',
      'Carrier2MSP:carrier:9630',
    ]);
    expect(cfg.orderers.map((o) => [o.port, o.adminPort, o.operationsPort])).to.deep.equal([
      [9050, 9051, 9052],
      [9053, 9054, 9055],
      [9056, 9057, 9058],
    ]);
  });

  it("gives an organisation's second peer peer0's ports + 3, its own folders and crypto, its gossip started from peer0", () => {
    const topology = parseTopology({ suppliers: 2, secondPeers: ['supplier', 'supplier2'] });
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-second', topology });
    expect(cfg.secondPeers.map((p) => `${p.peerHost}:${p.peerPort}/${p.chaincodePort}/${p.operationsPort}<-${p.gossipBootstrap}`)).to.deep.equal([
      'peer1.supplier.coffee.example:9203/9204/9205<-localhost:9200',
      'peer1.supplier2.coffee.example:9603/9604/9605<-localhost:9600',
    ]);
    expect(cfg.secondPeers.map(peerNodeName)).to.deep.equal(['peer1-supplier', 'peer1-supplier2']);
    expect(cfg.orgs.map(peerNodeName)).to.deep.equal(['peer0-retailer', 'peer0-supplier', 'peer0-auditor', 'peer0-supplier2']);
    const counts = (cryptoConfig(cfg) as any).PeerOrgs.map((o: any) => `${o.Name}:${o.Template.Count}`);
    expect(counts).to.deep.equal(['Retailer:1', 'Supplier:2', 'Auditor:1', 'Supplier2:2']);
    expect(() => parseTopology({ secondPeers: ['nobody'] })).to.throw(/secondPeers must list organisations of the devnet/);
    expect(loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-default' }).secondPeers).to.deep.equal([]);
  });

  it('keeps every node on loopback unless the topology gives addresses', () => {
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-loopback' });
    expect(cfg.topology).to.not.have.property('hosts');
    expect([...cfg.orgs, ...cfg.orderers, cfg.chaincode].map((n) => `${n.address}/${n.listenAddress}`)).to.deep.equal(Array(5).fill('localhost/127.0.0.1'));
    const doc = channelConfig(cfg) as any;
    expect(doc.Profiles.SupplyChain.Application.Organizations[0].AnchorPeers).to.deep.equal([{ Host: 'localhost', Port: 9100 }]);
  });

  it('puts an organisation on a host of its own: endpoint, anchor peer, certificate SANs, namespace', () => {
    const topology = parseTopology({ address: '10.231.90.1', hosts: { auditor: { address: '10.231.90.2', netns: 'ct-auditor' } } });
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-hosts', topology });
    const auditor = cfg.orgs.find((o) => o.name === 'auditor')!;
    expect([auditor.address, auditor.listenAddress, auditor.netns]).to.deep.equal(['10.231.90.2', '10.231.90.2', 'ct-auditor']);
    expect([cfg.orgs[0].address, cfg.orderer.listenAddress, cfg.chaincode.address]).to.deep.equal(['10.231.90.1', '10.231.90.1', '10.231.90.1']);
    expect(cfg.orgs[0].netns).to.equal(undefined);
    const app = (channelConfig(cfg) as any).Profiles.SupplyChain;
    expect(app.Application.Organizations[2].AnchorPeers).to.deep.equal([{ Host: '10.231.90.2', Port: 9300 }]);
    expect(app.Orderer.Organizations[0].OrdererEndpoints).to.deep.equal(['10.231.90.1:9050']);
    const crypto = cryptoConfig(cfg) as any;
    expect(crypto.PeerOrgs[2].Template.SANS).to.deep.equal(['localhost', '127.0.0.1', '10.231.90.2']);
    expect(crypto.OrdererOrgs[0].Specs[0].SANS).to.deep.equal(['localhost', '127.0.0.1', '10.231.90.1']);
  });

  it('refuses hosts without the shared address, unknown organisations and malformed addresses', () => {
    expect(() => parseTopology({ hosts: { auditor: '10.231.90.2' } })).to.throw(/hosts needs address/);
    expect(() => parseTopology({ address: '10.231.90.1', hosts: { nobody: '10.231.90.2' } })).to.throw(/hosts names no organisation nobody/);
    expect(() => parseTopology({ address: '10.231.90.300' })).to.throw(/address must be an IPv4 address/);
    expect(() => parseTopology({ address: '10.231.90.1', hosts: { auditor: { address: '10.231.90.2', netns: 'a b' } } })).to.throw(/hosts.auditor.netns/);
  });

  it('takes identities from cryptogen unless the topology asks for a CA per organisation, whose ports clash with no other node', () => {
    expect(loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-cryptogen' }).identities).to.equal('cryptogen');
    expect(parseTopology({})).to.not.have.property('identities');
    const topology = parseTopology({ identities: 'ca', suppliers: 2, orderers: 3 });
    expect(topology.identities).to.equal('ca');
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-ca', topology });
    expect(cfg.identities).to.equal('ca');
    const cas = [cfg.ordererCa, ...cfg.orgs.map((o) => o.ca)];
    expect(cas.map((c) => `${c.name}:${c.tlsCaName}:${c.port}:${c.operationsPort}`)).to.deep.equal([
      'ca-orderer:tlsca-orderer:9060:9061',
      'ca-retailer:tlsca-retailer:9106:9107',
      'ca-supplier:tlsca-supplier:9206:9207',
      'ca-auditor:tlsca-auditor:9306:9307',
      'ca-supplier2:tlsca-supplier2:9606:9607',
    ]);
    const others = [
      ...cfg.orderers.flatMap((o) => [o.port, o.adminPort, o.operationsPort]),
      ...cfg.orgs.flatMap((o) => [o.peerPort, o.chaincodePort, o.operationsPort]),
      cfg.chaincode.port,
    ];
    for (const c of cas) expect(others).to.not.include.members([c.port]).and.not.include.members([c.operationsPort]);
    expect(() => parseTopology({ identities: 'openssl' })).to.throw(/identities must be cryptogen or ca/);
  });

  it('names the field that is wrong', () => {
    expect(() => parseTopology({ orderers: 2 })).to.throw(/orderers must be 1 or 3/);
    expect(() => parseTopology({ suppliers: 0 })).to.throw(/suppliers must be an integer of at least 1/);
    expect(() => parseTopology({ peers: 2 })).to.throw(/unknown field peers/);
    expect(() => parseTopology({ suppliers: 40 })).to.throw(/port layout/);
  });

  it('accepts a new organisation name only once and in host-name form', () => {
    const orgs = topologyOrgs(parseTopology({}));
    expect(() => checkOrgName('supplier', orgs)).to.throw(/already part/);
    expect(() => checkOrgName('Bean Co', orgs)).to.throw(/lower-case/);
    expect(() => checkOrgName('beanco', orgs)).not.to.throw();
  });
});

describe('channel configuration of a topology', () => {
  it('lists every orderer as a Raft consenter and orderer endpoint, and every org with its anchor peer', () => {
    const cfg = loadDevnetConfig({ portBase: 9000, runDir: '/nonexistent/topology-raft', topology: parseTopology({ suppliers: 3, orderers: 3 }) });
    const profile = (channelConfig(cfg) as any).Profiles.SupplyChain;
    expect(profile.Orderer.EtcdRaft.Consenters.map((c: any) => c.Port)).to.deep.equal([9050, 9053, 9056]);
    expect(profile.Orderer.Organizations[0].OrdererEndpoints).to.deep.equal(['localhost:9050', 'localhost:9053', 'localhost:9056']);
    expect(profile.Application.Organizations.map((o: any) => o.ID)).to.deep.equal(['RetailerMSP', 'SupplierMSP', 'AuditorMSP', 'Supplier2MSP', 'Supplier3MSP']);
    expect(profile.Application.Policies.Endorsement.Rule).to.equal('MAJORITY Endorsement');
    expect(profile.Application.Policies.Admins.Rule).to.equal('MAJORITY Admins');
  });

  it('needs a majority of admins for a config update: 2 of 3, 3 of 5, 4 of 6', () => {
    expect([3, 5, 6].map(majorityOf)).to.deep.equal([2, 3, 4]);
  });

  it('gives added organisations a registry entry with their role', () => {
    expect(devnetMember({ mspId: 'Supplier2MSP', role: 'supplier' })).to.deep.equal({
      mspId: 'Supplier2MSP',
      displayName: 'Coffee supplier 2',
      roles: ['supplier'],
      gs1Prefixes: [addedOrgPrefix('Supplier2MSP')],
    });
    expect(addedOrgPrefix('Supplier2MSP'))
      .to.match(/^769\d{4}$/)
      .and.not.equal(addedOrgPrefix('CarrierMSP'));
    expect(devnetMember({ mspId: 'RetailerMSP', role: 'retailer' }).roles).to.deep.equal(['retailer', 'governance']);
    expect(devnetMember({ mspId: 'CarrierMSP', role: 'carrier' }).roles).to.deep.equal(['carrier']);
  });
});
