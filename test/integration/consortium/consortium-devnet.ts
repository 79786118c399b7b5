/**
 * The consortium tests' own devnet: retailer, three suppliers and the auditor
 * (five organisations, MAJORITY = 3 of 5) on three etcdraft orderers, on its
 * own port base (CONSORTIUM_TEST_PORT_BASE, default 21000) so it runs beside
 * the shared test devnet.
 */
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadDevnetConfig, type DevnetConfig } from '../../../network/src/config';
import type { LedgerClient, SubmitResult } from '../../../lib/fabric/src';

export const CONSORTIUM_PORT_BASE = Number(process.env.CONSORTIUM_TEST_PORT_BASE ?? 21000);

export function consortiumDevnetConfig(): DevnetConfig {
  const root = loadDevnetConfig({ portBase: CONSORTIUM_PORT_BASE }).root;
  return loadDevnetConfig({
    portBase: CONSORTIUM_PORT_BASE,
    runDir: path.join(root, 'network', 'run', `test-consortium-${CONSORTIUM_PORT_BASE}`),
    peerClientAuth: true,
    topology: { suppliers: 3, carriers: 0, orderers: 3, added: [] },
  });
}

export const eventId = (tag = 'co') => `${tag}-${randomUUID()}`;

/** Submits a traceability transaction with a JSON body. */
export async function submitJson(
  client: LedgerClient,
  fn: string,
  body: Record<string, unknown>,
  endorsingOrgs?: string[],
): Promise<{ result: any; commit: SubmitResult }> {
  const commit = await client.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)], endorsingOrgs });
  return { result: JSON.parse(commit.payload.toString('utf8')), commit };
}

export async function queryJson(client: LedgerClient, fn: string, ...args: string[]): Promise<any> {
  return JSON.parse((await client.evaluate({ contract: 'traceability', fn, args })).toString('utf8'));
}

/** One Prometheus sample from a node's operations endpoint, or undefined when it does not answer. */
export async function metric(port: number, name: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    const line = (await res.text()).split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
