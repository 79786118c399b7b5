import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookSender } from '../../../indexer/src/query/epcis/webhook-sender';

/** A loopback receiver that records what reaches it and answers `answer`. */
async function receiver(answer: (res: http.ServerResponse) => void) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(`${req.method} ${req.url}`);
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { hits, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('webhook sender (loopback receivers only)', () => {
  it('connects to the address it checked, whatever the name resolves to afterwards (no DNS rebinding)', async () => {
    const rx = await receiver((res) => res.writeHead(204).end());
    try {
      let lookups = 0;
      // The first answer is the allow-listed receiver; any later answer would be the metadata service.
      const sender = createWebhookSender({
        allow: [`127.0.0.1:${rx.port}`],
        resolve: async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }],
      });
      const out = await sender.send(`http://rebind.example:${rx.port}/hook`, { 'content-type': 'application/json' }, '{}');
      expect(out).to.deep.equal({ ok: true, status: 204 });
      expect(lookups).to.equal(1);
      expect(rx.hits).to.deep.equal(['POST /hook']);
    } finally {
      await rx.close();
    }
  });

  it('does not follow a redirect and reports only the status; times out a receiver that never answers', async () => {
    const target = await receiver((res) => res.writeHead(204).end());
    const redirect = await receiver((res) => res.writeHead(307, { location: `http://127.0.0.1:${target.port}/x` }).end('secret body'));
    const silent = await receiver(() => undefined);
    try {
      const sender = createWebhookSender({ allow: ['127.0.0.1/32'], timeoutMs: 300 });
      expect(await sender.send(`http://127.0.0.1:${redirect.port}/`, {}, '{}')).to.deep.equal({ ok: false, error: 'answered 307', unreachable: false });
      expect(target.hits).to.deep.equal([]);
      expect(await sender.send(`http://127.0.0.1:${silent.port}/`, {}, '{}')).to.deep.equal({ ok: false, error: 'timed out', unreachable: true });
      // A closed port: "refused", without the system's error text.
      const closed = target.port;
      await target.close();
      expect(await sender.send(`http://127.0.0.1:${closed}/`, {}, '{}')).to.deep.equal({ ok: false, error: 'refused', unreachable: true });
    } finally {
      await redirect.close();
      silent.close().catch(() => undefined);
    }
  });
});
