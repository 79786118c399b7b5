/**
 * Reading the visibility devnet as each reader: the query API, each
 * organisation's gateway, EPCIS pages and the ledger's event stream.
 */
import { expect } from 'chai';
import { AUDITOR, gatewayOf, type Reader, type VisibilityNet } from './visibility-devnet';

export interface Answer {
  status: number;
  body: any;
  text: string;
  link: string | null;
  location: string | null;
}

async function answer(url: string, auth: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, headers: { Authorization: auth, ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, link: res.headers.get('link'), location: res.headers.get('location') };
}

export function readers(net: VisibilityNet) {
  /** The query API as `reader`. */
  const query = (reader: Reader, path: string, init?: RequestInit) => answer(`${net.queryUrl}${path}`, net.auth[reader], init);
  /** The reader's own organisation's gateway. */
  const gateway = (reader: Reader, path: string, init?: RequestInit) => answer(`${gatewayOf(net, reader).url}${path}`, net.auth[reader], init);
  /** A 200 answer of the query API. */
  const ok = async (reader: Reader, path: string) => {
    const a = await query(reader, path);
    expect(a.status, `${reader} GET ${path}: ${a.text.slice(0, 300)}`).to.equal(200);
    return a.body;
  };
  /** Every page of an EPCIS query, following Link rel="next". */
  const epcisPages = async (reader: Reader, path: string): Promise<{ ids: string[]; pages: number }> => {
    const ids: string[] = [];
    let next: string | null = path;
    let pages = 0;
    while (next) {
      const a = await query(reader, next);
      expect(a.status, `${reader} GET ${next}: ${a.text.slice(0, 300)}`).to.equal(200);
      for (const e of a.body.epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>) ids.push(e.eventID);
      pages += 1;
      const m = a.link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(a.link) : null;
      next = m ? (m[1].startsWith('http') ? m[1].slice(net.queryUrl.length) : m[1].startsWith('?') ? `${path.split('?')[0]}${m[1]}` : m[1]) : null;
      expect(pages, 'EPCIS pages').to.be.lessThan(500);
    }
    return { ids, pages };
  };
  return { query, gateway, ok, epcisPages };
}

/** An open `/ledger/stream` of one reader: the transaction ids of every block it was sent. */
export async function openLedgerStream(net: VisibilityNet, reader: Reader) {
  const ac = new AbortController();
  const res = await fetch(`${net.queryUrl}/ledger/stream`, { headers: { Authorization: net.auth[reader] }, signal: ac.signal });
  expect(res.status).to.equal(200);
  let text = '';
  const reader_ = res.body!.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader_.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      /* aborted */
    }
  })();
  const txIds = () => {
    const out: string[] = [];
    for (const chunk of text.split('\n\n')) {
      if (!chunk.startsWith('event: block')) continue;
      const data = chunk.split('\n').find((l) => l.startsWith('data: '));
      for (const t of (JSON.parse(data!.slice(6)) as { transactions: Array<{ tx_id: string }> }).transactions) out.push(t.tx_id);
    }
    return out;
  };
  return {
    hello: () => text.includes('event: hello'),
    txIds,
    async close() {
      ac.abort();
      await pump;
    },
  };
}

export const isAuditor = (r: Reader) => r === AUDITOR;
export const sorted = <T>(xs: Iterable<T>) => [...new Set(xs)].sort();
