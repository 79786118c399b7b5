/** Calls to the gateway (same origin) and, through it, to the indexer's query API. */
import { loadSession, sessionRefused } from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function headers(): Record<string, string> {
  const s = loadSession();
  return s ? { authorization: `Bearer ${s.token}` } : {};
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { ...headers(), ...(init.headers as Record<string, string> | undefined) } });
  const body = await res.text();
  // An expired or revoked token: back to the sign-in page rather than an error in every view.
  if (res.status === 401 && loadSession()) sessionRefused();
  if (!res.ok) {
    let msg = body;
    try {
      msg = JSON.parse(body).message ?? body;
    } catch {
      /* plain text */
    }
    throw new ApiError(res.status, msg);
  }
  return (body ? JSON.parse(body) : undefined) as T;
}

/** GET from the gateway itself, e.g. `/provenance/…`. */
export const gateway = <T>(p: string, init?: RequestInit) => call<T>(p, init);
/** GET from the indexer through the gateway, e.g. `/lots/…/genealogy`. */
export const index = <T>(p: string) => call<T>(`/console/api/index${p}`);
export const indexUrl = (p: string) => `/console/api/index${p}`;

/** Downloads a file with the session's token (a plain link could not carry it). */
export async function download(p: string, filename: string): Promise<Blob> {
  const res = await fetch(p, { headers: headers() });
  if (!res.ok) throw new ApiError(res.status, await res.text());
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  return blob;
}

/**
 * Server-sent events over fetch, so the request carries the token
 * (EventSource cannot send an Authorization header).
 */
export function subscribe(p: string, onEvent: (type: string, data: unknown) => void, onState: (live: boolean) => void): () => void {
  const abort = new AbortController();
  void (async () => {
    while (!abort.signal.aborted) {
      try {
        const res = await fetch(indexUrl(p), { headers: { ...headers(), accept: 'text/event-stream' }, signal: abort.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let type = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trim());
            }
            if (data.length) onEvent(type, JSON.parse(data.join('\n')));
          }
        }
      } catch {
        /* reconnect below */
      }
      onState(false);
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  return () => abort.abort();
}
