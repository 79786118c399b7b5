/**
 * Helpers for chaincode tests on the devnet: one LedgerClient per org, unique
 * GS1 identifiers per run, and JSON submit/evaluate against the traceability contract.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetMember } from '../../../network/src/consortium-seed';
import { type LedgerClient, type SubmitResult } from '../../../lib/fabric/src';
import { ServiceError, withRetry } from '../../../lib/platform/src';
import { sharedDevnet } from '../../fixtures/test-devnet';

export const RETAILER = 'RetailerMSP';
export const SUPPLIER = 'SupplierMSP';
export const AUDITOR = 'AuditorMSP';

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

/** The devnet GS1 company prefix (76…) that `msp` registers its test identifiers under. */
export function testPrefix(msp: string): string {
  const prefix = devnetMember({ mspId: msp }).gs1Prefixes.find((p) => p.startsWith('76'));
  if (!prefix) throw new Error(`${msp} holds no GS1 company prefix on the devnet`);
  return prefix;
}

/** A random GLN with a valid check digit, within the GS1 company prefix of `msp` (who may register it). */
export function uniqueGln(msp: string): string {
  const prefix = testPrefix(msp);
  const body = `${prefix}${digits(12 - prefix.length)}`;
  return body + gs1CheckDigit(body);
}

/** A random GTIN-14 with a valid check digit, within the GS1 company prefix of `msp` (who may register it). */
export function uniqueGtin(msp: string): string {
  const prefix = testPrefix(msp);
  const body = `0${prefix}${digits(12 - prefix.length)}`;
  return body + gs1CheckDigit(body);
}

export const eventId = (tag = 'it') => `${tag}-${randomUUID()}`;

export interface Orgs {
  [msp: string]: LedgerClient;
}

export async function connectAll(): Promise<Orgs> {
  const info = sharedDevnet();
  const orgs: Orgs = {};
  for (const msp of [RETAILER, SUPPLIER, AUDITOR]) orgs[msp] = await connectDevnet(info, msp);
  return orgs;
}

export function closeAll(orgs: Orgs | undefined): void {
  for (const c of Object.values(orgs ?? {})) c.close();
}

/** Submits a traceability transaction with a JSON body; returns the parsed result and commit facts. */
export async function submitJson(
  client: LedgerClient,
  fn: string,
  body: Record<string, unknown>,
  endorsingOrgs?: string[],
): Promise<{ result: any; commit: SubmitResult }> {
  // A peer a block behind endorses differently; nothing was ordered, so the same eventId is sent again.
  const commit = await withRetry(() => client.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)], endorsingOrgs }), {
    attempts: 4,
    baseDelayMs: 100,
    retriable: (err) => err instanceof ServiceError && err.code === 'ENDORSEMENT_MISMATCH',
  });
  return { result: JSON.parse(commit.payload.toString('utf8')), commit };
}

/** Registers a fresh roastery and product of `msp` for a test to commission and move stock at; their GLN and GTIN. */
export async function registerSiteAndProduct(client: LedgerClient, msp: string, name: string, country: string): Promise<{ site: string; product: string }> {
  const site = uniqueGln(msp);
  const product = uniqueGtin(msp);
  await submitJson(client, 'RegisterLocation', { eventId: eventId(), gln: site, type: 'roastery', name, address: { country } });
  await submitJson(client, 'RegisterProduct', { eventId: eventId(), gtin: product, description: 'Green', unit: 'KGM' });
  return { site, product };
}

/**
 * Counted on the ledger from block `from` to the tip, as `reader` sees it: how many effective (not a
 * replay) VALID traceability transactions each eventId has; exactly-once means 1 for each submitted.
 */
export async function effectiveCommits(reader: LedgerClient, from: bigint): Promise<Map<string, number>> {
  const tip = await reader.height();
  const effective = new Map<string, number>();
  for (let n = from; n < tip; n++) {
    for (const tx of (await reader.blockByNumber(n)).transactions) {
      if (tx.validationCode !== 'VALID' || tx.event?.name !== 'TraceEvents') continue;
      const ev = JSON.parse(tx.event.payload.toString('utf8')) as { eventId: string; replayOf?: unknown };
      if (!ev.replayOf) effective.set(ev.eventId, (effective.get(ev.eventId) ?? 0) + 1);
    }
  }
  return effective;
}

export async function queryJson(client: LedgerClient, fn: string, ...args: string[]): Promise<any> {
  const out = await client.evaluate({ contract: 'traceability', fn, args });
  return JSON.parse(out.toString('utf8'));
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
