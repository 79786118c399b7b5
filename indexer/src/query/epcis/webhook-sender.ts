/**
 * POSTs a webhook delivery without letting the subscriber point the indexer at
 * its own network. The destination's name is resolved once, every address it
 * resolves to is checked (webhook-address.ts), and the connection is pinned to
 * the checked address (a custom `lookup`), so a name that answers a public
 * address to the check and a private one to the connection (DNS rebinding)
 * reaches nothing. Redirects are not followed, the answer's body is never
 * read, and the outcome says only "refused", "timed out" or the destination's
 * own HTTP status: no error text that would make the indexer a port scanner.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { mayConnect, parseAllowList, type AllowEntry } from './webhook-address';

/** A name's addresses, as dns.lookup({all: true}) answers. */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** How a delivery went. `unreachable`: no answer from the destination (refused, or timed out). */
export type SendOutcome = { ok: true; status: number } | { ok: false; error: string; unreachable: boolean };

export interface WebhookSenderOptions {
  /** The operator's allow-list (INDEXER_WEBHOOK_ALLOW entries). */
  allow?: readonly string[];
  /** Longest wait for the destination's answer (connection and status line), ms; default 10 s. */
  timeoutMs?: number;
  /** Name resolution; default the system resolver (dns.lookup). */
  resolve?: Resolver;
}

/** Thrown by {@link WebhookSender.check} when the destination may not be used. */
export class DestinationRefused extends Error {
  constructor() {
    super('refused');
    this.name = 'DestinationRefused';
  }
}

export interface WebhookSender {
  /** Resolves the destination and checks every address; throws DestinationRefused. */
  check(dest: string): Promise<{ address: string; family: number }>;
  /** Checks, then POSTs `body` to the checked address; never throws. */
  send(dest: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendOutcome>;
}

const defaultResolve: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export function createWebhookSender(o: WebhookSenderOptions = {}): WebhookSender {
  const allow: AllowEntry[] = parseAllowList(o.allow ?? []);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const resolve = o.resolve ?? defaultResolve;

  async function check(dest: string): Promise<{ address: string; family: number }> {
    let url: URL;
    try {
      url = new URL(dest);
    } catch {
      throw new DestinationRefused();
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DestinationRefused();
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    let addresses: Array<{ address: string; family: number }>;
    if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }];
    else {
      // A name that does not resolve in time is refused like one that does not resolve (the system resolver has no timeout).
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DestinationRefused()), Math.min(timeoutMs, 5_000))));
      try {
        addresses = await Promise.race([resolve(host), late]);
      } catch {
        throw new DestinationRefused();
      } finally {
        clearTimeout(timer);
      }
    }
    // Every address must pass: a name that also resolves to an internal address is refused as a whole,
    // whichever address a connection would have picked.
    if (addresses.length === 0 || !addresses.every((a) => mayConnect({ host, port, address: a.address }, allow))) throw new DestinationRefused();
    return addresses[0];
  }

  async function send(dest: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendOutcome> {
    let pinned: { address: string; family: number };
    try {
      pinned = await check(dest);
    } catch {
      return { ok: false, error: 'refused', unreachable: true };
    }
    const url = new URL(dest);
    // The socket connects to the checked address whatever the name resolves to now.
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<SendOutcome>((settle) => {
      let done = false;
      const finish = (out: SendOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle(out);
      };
      const req = client.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, agent: false });
      const timer = setTimeout(() => {
        finish({ ok: false, error: 'timed out', unreachable: true });
        req.destroy();
      }, timeoutMs);
      const onAbort = () => {
        finish({ ok: false, error: 'timed out', unreachable: true });
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('response', (res) => {
        // Only the status line counts; the body is discarded unread (a redirect is not followed).
        res.resume();
        res.on('error', () => undefined);
        const status = res.statusCode ?? 0;
        finish(status >= 200 && status <= 299 ? { ok: true, status } : { ok: false, error: `answered ${status}`, unreachable: false });
      });
      req.on('error', () => finish({ ok: false, error: 'refused', unreachable: true }));
      req.end(body);
    });
  }

  return { check, send };
}
