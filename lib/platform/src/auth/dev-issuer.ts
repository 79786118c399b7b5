/**
 * A built-in token issuer for the devnet and tests: an ES256 key pair
 * generated at start, its JWKS served on loopback, and tokens minted for any
 * role. The signing key is written (mode 0600) to a file so the `mint-token`
 * command can sign tokens the running gateway accepts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Role } from '../../../domain/src';

export interface DevIssuerOptions {
  /** Loopback port for the JWKS; 0 picks a free one. */
  port?: number;
  audience: string;
  /** Where to leave the signing key for `mint-token`; omitted means keep it in memory only. */
  keyFile?: string;
}

/** What `mint-token` needs, as written to the key file. */
export interface DevIssuerKeyFile {
  issuer: string;
  audience: string;
  jwksUrl: string;
  kid: string;
  privateJwk: JWK;
}

export interface MintOptions {
  sub: string;
  roles: Role[];
  /** The organisation (MSP id) written to the `org` claim. */
  org?: string;
  /** Lifetime in seconds (default 3600). */
  ttlSec?: number;
}

export interface DevIssuer {
  start(): Promise<{ issuer: string; jwksUrl: string }>;
  mint(o: MintOptions): Promise<string>;
  stop(): Promise<void>;
}

/** Signs a token with a key file's key (used by the issuer and by `mint-token`). */
export async function mintWithKey(k: DevIssuerKeyFile, o: MintOptions): Promise<string> {
  const key = await importJWK(k.privateJwk, 'ES256');
  return new SignJWT({ roles: o.roles, ...(o.org ? { org: o.org } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid: k.kid, typ: 'JWT' })
    .setIssuer(k.issuer)
    .setAudience(k.audience)
    .setSubject(o.sub)
    .setIssuedAt()
    .setExpirationTime(`${o.ttlSec ?? 3600}s`)
    .sign(key);
}

export function createDevIssuer(opts: DevIssuerOptions): DevIssuer {
  let server: http.Server | undefined;
  let keyFile: DevIssuerKeyFile | undefined;
  return {
    async start() {
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const pub = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(pub);
      const jwks = JSON.stringify({ keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] });
      server = http.createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(jwks);
        } else res.writeHead(404).end();
      });
      // Loopback only: the dev issuer must never be reachable from another host.
      await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(opts.port ?? 0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const issuer = `http://127.0.0.1:${port}`;
      const jwksUrl = `${issuer}/.well-known/jwks.json`;
      keyFile = { issuer, audience: opts.audience, jwksUrl, kid, privateJwk: await exportJWK(privateKey) };
      if (opts.keyFile) {
        fs.mkdirSync(path.dirname(opts.keyFile), { recursive: true, mode: 0o700 });
        fs.writeFileSync(opts.keyFile, JSON.stringify(keyFile, null, 2), { mode: 0o600 });
      }
      return { issuer, jwksUrl };
    },
    async mint(o) {
      if (!keyFile) throw new Error('dev issuer not started');
      return mintWithKey(keyFile, o);
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      if (opts.keyFile && keyFile) fs.rmSync(opts.keyFile, { force: true });
    },
  };
}
