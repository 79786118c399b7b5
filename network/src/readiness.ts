/**
 * Readiness of a devnet as a client sees it: every peer knows the others
 * through gossip, and a transaction submitted with service discovery commits.
 */
import * as http from 'node:http';
import { connectDevnet } from './connect-devnet';
import { withRetry } from '../../lib/platform/src';
import type { DevnetConfig, PeerOrg } from './config';
import type { DevnetInfo } from './devnet-info';
import { CONTRACT } from '../../lib/domain/src';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function metricValue(url: string, metric: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const line = body.split('\n').find((l) => l.startsWith(metric));
        resolve(line ? Number(line.split(' ').pop()) : undefined);
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
  });
}

/** Waits until every peer's gossip knows all other peers of the channel. */
export async function waitForGossip(cfg: DevnetConfig, timeoutMs = 60_000): Promise<void> {
  const metric = `gossip_membership_total_peers_known{channel="${cfg.channel}"}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const known = await Promise.all(cfg.orgs.map((o) => metricValue(`http://${o.listenAddress}:${o.operationsPort}/metrics`, metric)));
    if (known.every((k) => k !== undefined && k >= cfg.orgs.length - 1)) return;
    if (Date.now() > deadline) {
      throw new Error(`gossip did not converge within ${timeoutMs} ms (peers known: ${known.join(', ')}); see the peer logs in ${cfg.runDir}/logs`);
    }
    await sleep(250);
  }
}

/**
 * Waits until `peer`'s gossip counts `others` other peers on the channel (the
 * peers service discovery through it lists); returns the count. Gossip learns
 * another organisation's peer through the anchor peers and alive messages, a
 * few seconds after the peer joined; until then discovery through it leaves
 * that organisation out.
 */
export async function waitForPeerMembership(cfg: DevnetConfig, peer: PeerOrg, others: PeerOrg[], timeoutMs = 120_000): Promise<number> {
  const metric = `gossip_membership_total_peers_known{channel="${cfg.channel}"}`;
  const url = `http://${peer.listenAddress}:${peer.operationsPort}/metrics`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const known = await metricValue(url, metric);
    if (known !== undefined && known >= others.length) return known;
    if (Date.now() > deadline) {
      const names = others.map((o) => `${o.peerHost} (${o.address}:${o.peerPort})`).join(', ');
      throw new Error(
        `${peer.peerHost} knows ${known ?? 'no'} of the ${others.length} other peers of ${cfg.channel} through gossip after ${timeoutMs} ms ` +
          `(expected ${names}); service discovery through it would leave the missing ones out. See its log and the others' in ${cfg.runDir}/logs`,
      );
    }
    await sleep(250);
  }
}

/** Submits a probe transaction as each org until one commits for every org. */
export async function waitForLedger(info: DevnetInfo, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const org of info.orgs) {
    const client = await connectDevnet(info, org.mspId);
    try {
      await withRetry(() => client.submit({ contract: CONTRACT.probe, fn: 'Put', args: ['devnet-ready', org.mspId] }), {
        deadlineMs: Math.max(0, deadline - Date.now()),
        baseDelayMs: 500,
        maxDelayMs: 500,
        // Until the chaincode answers, every failure (not installed yet, peers still joining) may pass.
        retriable: () => true,
      }).catch((err) => {
        throw new Error(`the ledger did not accept a transaction from ${org.mspId}: ${String(err)}`);
      });
    } finally {
      client.close();
    }
  }
}
