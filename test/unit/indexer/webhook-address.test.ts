import { expect } from 'chai';
import * as net from 'node:net';
import { embeddedIPv4, isAllowed, isInternalAddress, mayConnect, parseAllowList } from '../../../indexer/src/query/epcis/webhook-address';
import { createWebhookSender, DestinationRefused } from '../../../indexer/src/query/epcis/webhook-sender';

describe('webhook destinations: the address check (no connection is opened)', () => {
  // No socket may connect while these tests run (none does, and none could send anything): the check
  // must decide from addresses alone.
  const connect = net.Socket.prototype.connect;
  let connections = 0;
  before(() => {
    net.Socket.prototype.connect = function () {
      connections++;
      throw new Error('the address check opened a connection');
    } as typeof connect;
  });
  after(() => {
    net.Socket.prototype.connect = connect;
    expect(connections, 'sockets opened by the address check').to.equal(0);
  });

  const internal: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback (all of 127/8)'],
    ['::1', 'IPv6 loopback'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['10.0.0.1', 'private 10/8'],
    ['172.16.5.4', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12, last'],
    ['192.168.1.1', 'private 192.168/16'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['fc00::1', 'IPv6 unique local'],
    ['fd12:3456::1', 'IPv6 unique local (fd)'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['ff02::1', 'IPv6 multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'IPv6 unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['not-an-address', 'not an address at all'],
  ];
  for (const [ip, what] of internal) it(`${ip} (${what}) is internal`, () => expect(isInternalAddress(ip)).to.equal(true));

  for (const ip of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '172.32.0.1', '100.128.0.1', '11.0.0.1'])
    it(`${ip} is public`, () => expect(isInternalAddress(ip)).to.equal(false));

  it('reads the IPv4 address inside the IPv6 forms that reach IPv4 hosts', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).to.equal('127.0.0.1');
    expect(embeddedIPv4('::ffff:169.254.169.254')).to.equal('169.254.169.254');
    expect(embeddedIPv4('64:ff9b::10.0.0.1')).to.equal('10.0.0.1');
    expect(embeddedIPv4('2002:c0a8:101::1')).to.equal('192.168.1.1');
    expect(embeddedIPv4('2606:4700::1111')).to.equal(undefined);
    expect(embeddedIPv4('::1')).to.equal(undefined);
  });

  it('the allow-list admits CIDRs, single addresses and host:port, and nothing beyond them', () => {
    const allow = parseAllowList(['10.1.0.0/16', '::1/128', '127.0.0.1:9000', '[::1]:9001', 'hooks.internal:443', '192.168.7.7']);
    const at = (host: string, port: number, address: string) => isAllowed({ host, port, address }, allow);
    expect(at('10.1.2.3', 80, '10.1.2.3')).to.equal(true);
    expect(at('10.2.0.1', 80, '10.2.0.1')).to.equal(false);
    expect(at('x', 80, '::ffff:10.1.0.9')).to.equal(true);
    expect(at('::1', 1234, '::1')).to.equal(true);
    expect(at('127.0.0.1', 9000, '127.0.0.1')).to.equal(true);
    expect(at('127.0.0.1', 9002, '127.0.0.1')).to.equal(false);
    expect(at('localhost', 9000, '127.0.0.1')).to.equal(true);
    expect(at('hooks.internal', 443, '10.9.9.9')).to.equal(true);
    expect(at('hooks.internal', 80, '10.9.9.9')).to.equal(false);
    expect(at('192.168.7.7', 1, '192.168.7.7')).to.equal(true);
    expect(mayConnect({ host: '169.254.169.254', port: 80, address: '169.254.169.254' }, allow)).to.equal(false);
    expect(mayConnect({ host: 'example.org', port: 443, address: '93.184.215.14' }, [])).to.equal(true);
    for (const bad of ['10.0.0.0/33', 'example.org', 'host:0', '[127.0.0.1]:80', '1.2.3.4/x']) expect(() => parseAllowList([bad]), bad).to.throw(/not|neither/);
  });

  it('a name is refused when any address it resolves to is internal, without connecting', async () => {
    const answers: Record<string, string[]> = {
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.215.14', '10.0.0.5'],
      'mapped.example': ['::ffff:127.0.0.1'],
      'public.example': ['93.184.215.14'],
    };
    const sender = createWebhookSender({
      resolve: async (host) => (answers[host] ?? []).map((address) => ({ address, family: net.isIP(address) })),
    });
    for (const dest of [
      'http://metadata.example/latest/meta-data/',
      'http://mixed.example/',
      'http://mapped.example/',
      'http://unknown.example/',
      'http://169.254.169.254/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fd00::1]:8080/',
      'http://0x7f.1/',
      'http://2130706433/',
      'http://0.0.0.0:80/',
      'https://10.0.0.1/',
      'ftp://public.example/',
    ])
      await sender.check(dest).then(
        () => expect.fail(`${dest} passed`),
        (err) => expect(err, dest).to.be.instanceOf(DestinationRefused),
      );
    expect((await sender.check('https://public.example/hook')).address).to.equal('93.184.215.14');
    // A delivery to a refused destination says only "refused".
    expect(await sender.send('http://metadata.example/', {}, '{}')).to.deep.equal({ ok: false, error: 'refused', unreachable: true });
  });
});
