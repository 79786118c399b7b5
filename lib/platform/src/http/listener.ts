/**
 * How an HTTP service listens in production: plain HTTP, or HTTPS from a
 * certificate and key file that a reload re-reads without closing the port,
 * and how far the service trusts a reverse proxy's X-Forwarded-* headers.
 *
 * Trusting a proxy is never blanket: a hop count (the last N proxies in
 * front of the service) or a list of proxy addresses and subnets, as express's
 * `trust proxy` takes them. Off by default, so a direct client cannot pretend
 * to be someone else with an X-Forwarded-For header.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config-error';

/** What `trust proxy` is set to: off, a hop count, or proxy addresses and subnets. */
export type TrustProxy = false | number | string[];

/** The listener settings of one service. */
export interface ListenerConfig {
  /** HTTPS certificate (chain) and key files; absent: plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  trustProxy: TrustProxy;
}

/** The names express accepts for well-known ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [addr, bits, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

/**
 * Parses a trust-proxy setting: empty or `false` (off), a hop count 1..10, or a
 * comma-separated list of addresses, CIDR subnets and the names loopback,
 * linklocal, uniquelocal. `true` is refused: it would believe any client.
 */
export function parseTrustProxy(raw: string | undefined, setting: string): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true')
    throw new ConfigError(setting, 'true would trust X-Forwarded-For from any client; give the number of proxies in front (e.g. 1) or their addresses');
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError(setting, `must be a hop count between 1 and 10 or a list of proxy addresses, got "${value}"`);
    return hops;
  }
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.find((e) => !isAddressOrSubnet(e));
  if (bad !== undefined) throw new ConfigError(setting, `"${bad}" is not an IP address, a CIDR subnet or one of loopback, linklocal, uniquelocal`);
  return entries;
}

/** Reads `<prefix>_TLS_CERT`, `<prefix>_TLS_KEY` and `<prefix>_TRUST_PROXY`; files are checked now, so a typo stops the start. */
export function loadListenerConfig(env: NodeJS.ProcessEnv, names: { cert: string; key: string; trustProxy: string }): ListenerConfig {
  const certFile = env[names.cert] || undefined;
  const keyFile = env[names.key] || undefined;
  if (!!certFile !== !!keyFile) throw new ConfigError(certFile ? names.key : names.cert, `HTTPS needs both ${names.cert} and ${names.key}`);
  const tls = certFile && keyFile ? { certFile, keyFile } : undefined;
  if (tls) readTlsFiles(tls, names);
  return { tls, trustProxy: parseTrustProxy(env[names.trustProxy], names.trustProxy) };
}

function readTlsFiles(tls: { certFile: string; keyFile: string }, names?: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, setting: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new ConfigError(setting, `cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = read(tls.certFile, names?.cert ?? 'TLS certificate');
  const key = read(tls.keyFile, names?.key ?? 'TLS key');
  try {
    // Throws when the key does not belong to the certificate or either does not parse.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(names?.key ?? 'TLS key', `${tls.keyFile} and ${tls.certFile} are not a usable pair: ${(err as Error).message}`);
  }
  return { cert, key };
}

/** A listening server and what reloads its certificate. */
export interface Listener {
  readonly server: http.Server;
  readonly scheme: 'http' | 'https';
  /**
   * Re-reads the certificate and key files and serves them to new connections;
   * open connections keep theirs. A bad pair leaves the previous one in force
   * and throws. Does nothing for plain HTTP.
   */
  reloadTls(): void;
}

/** Creates the HTTP or HTTPS server for `handler` (not yet listening). */
export function createListener(handler: http.RequestListener, tls: ListenerConfig['tls']): Listener {
  if (!tls) return { server: http.createServer(handler), scheme: 'http', reloadTls: () => undefined };
  const server = https.createServer(readTlsFiles(tls), handler);
  return {
    server,
    scheme: 'https',
    reloadTls() {
      server.setSecureContext(readTlsFiles(tls));
    },
  };
}
