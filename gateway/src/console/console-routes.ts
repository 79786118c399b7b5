/**
 * The web console on the gateway's own origin:
 *
 *   GET  /console/                     the built single-page app (dist/console)
 *   GET  /console/config.json          how to sign in (dev issuer or OpenID Connect) and which organisation this is
 *   POST /console/dev-session          {role}: a token from the dev issuer (only when the dev issuer is active)
 *   GET  /console/api/index/<path>     read-only pass-through to the indexer's query API, per-path roles
 *
 * The pass-through keeps the console on one origin (no CORS, one token). The
 * caller's token is verified here and forwarded, so an indexer that checks
 * tokens itself sees the same caller. Responses are streamed, which carries
 * the indexer's server-sent events (the live ledger view) unchanged. Each
 * pass-through read takes a token of the caller's rate-limit bucket (the
 * gateway's own limiter), so the console is no way around it.
 *
 * Every /console answer carries a Content-Security-Policy without inline
 * scripts (the built app loads its scripts from files), X-Frame-Options: DENY,
 * X-Content-Type-Options: nosniff and a Referrer-Policy. The dev sign-in
 * answers only outside production, to a browser on the gateway machine that
 * addressed it by a loopback name (a page on another origin that reaches the
 * gateway through DNS rebinding names its own host, and gets a 404).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from 'pino';
import { bearerToken, type DevIssuer, type DevIssuerKeyFile, httpError, type JwtVerifier, mintWithKey, type RateLimiter } from '../../../lib/platform/src';
import { CONSOLE_INDEX_ACCESS, hasAnyRole, isRole, rolesFor, type Principal, type Role } from '../../../lib/domain/src';

/** How a browser signs in with a real issuer: OpenID Connect authorization code with PKCE. */
export interface ConsoleOidcConfig {
  authority: string;
  clientId: string;
  scope: string;
  /** The API's resource indicator (RFC 8707), for providers that issue access tokens per resource. */
  resource?: string;
}

export interface ConsoleOptions {
  mspId: string;
  /** The built app (index.html and assets); a missing folder serves a short explanation instead. */
  dir: string;
  /** Base URL of the indexer's query API. */
  indexerUrl: string;
  verifier: JwtVerifier;
  logger: Logger;
  /** Present when the built-in dev issuer signs tokens: enables "sign in as <role>". */
  devIssuer?: DevIssuer;
  /**
   * Devnet only: the key of the dev issuer the indexer trusts, when that is another gateway's.
   * Forwarded reads then carry a short-lived token for the same subject and roles, signed with it.
   */
  indexerDevKeyFile?: string;
  oidc?: ConsoleOidcConfig;
  /** The gateway's per-client rate limiter; each pass-through read takes a token. */
  limiter?: RateLimiter;
  /** NODE_ENV is production: no dev sign-in, whatever else is configured. */
  production?: boolean;
  /** The token claim naming the user's organisation (shown by the console). */
  orgClaim?: string;
}

/** Host names that reach only this machine. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when a Host header names a loopback host (any port): localhost, *.localhost, 127.x.y.z, [::1]. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = (host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')).toLowerCase();
  return LOOPBACK_HOSTS.has(name) || name.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The console's Content-Security-Policy: scripts, styles and fetches from this origin only (plus the OpenID provider). */
export function consoleCsp(oidc?: ConsoleOidcConfig): string {
  let provider = '';
  if (oidc) {
    try {
      provider = ` ${new URL(oidc.authority).origin}`;
    } catch {
      provider = '';
    }
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${provider}`,
    `frame-src 'self'${provider}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${provider}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Roles allowed to read `p` through the console, or undefined for a path it does not pass through (the domain library's table). */
export function indexAccess(p: string): readonly Role[] | undefined {
  const row = CONSOLE_INDEX_ACCESS.find(({ prefix }) => p === prefix.replace(/\/$/, '') || p.startsWith(prefix));
  return row && rolesFor(row.op);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const PREFIX = '/console/api/index';

const PASSED_HEADERS = ['content-type', 'content-disposition', 'cache-control', 'link', 'x-request-id'];

/**
 * Mounts the console's routes on an express app (before the gateway's
 * not-found handler). Returns what ends the open event streams at shutdown.
 */
export function mountConsole(app: express.Express, opts: ConsoleOptions): () => void {
  const streams = new Set<Response>();
  // The key file is rewritten whenever that gateway restarts: read it again when it changes.
  let key: { mtimeMs: number; key: DevIssuerKeyFile } | undefined;
  const indexerToken = async (p: Principal): Promise<string | undefined> => {
    if (!opts.indexerDevKeyFile) return undefined;
    const mtimeMs = fs.statSync(opts.indexerDevKeyFile).mtimeMs;
    if (!key || key.mtimeMs !== mtimeMs) key = { mtimeMs, key: JSON.parse(fs.readFileSync(opts.indexerDevKeyFile, 'utf8')) as DevIssuerKeyFile };
    return mintWithKey(key.key, { sub: p.sub, roles: p.roles, org: p.org, ttlSec: 300 });
  };
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);
  const authenticate = async (req: Request, res: Response): Promise<Principal> => {
    const principal = await opts.verifier.verify(bearerToken(req.get('authorization')));
    res.locals.principal = principal;
    return principal;
  };

  const csp = consoleCsp(opts.oidc);
  app.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  app.get('/console/config.json', (_req, res) => {
    const auth = opts.devIssuer ? { mode: 'dev' } : opts.oidc ? { mode: 'oidc', ...opts.oidc } : { mode: 'none' };
    res.set('cache-control', 'no-store').json({ mspId: opts.mspId, orgClaim: opts.orgClaim ?? 'org', auth });
  });

  app.post(
    '/console/dev-session',
    express.json({ limit: '1kb' }),
    wrap(async (req, res) => {
      res.locals.route = '/console/dev-session';
      if (!opts.devIssuer || opts.production) throw httpError(404, 'NOT_FOUND', 'the dev issuer is not active on this gateway');
      // A loopback peer is not enough: a web page whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
      if (!isLoopbackHost(req.get('host'))) throw httpError(404, 'NOT_FOUND', 'the dev issuer is not active on this gateway');
      // Like the dev issuer's key file, minting stays on this machine even when the gateway listens more widely.
      // req.ip is the client's address as the trusted proxies report it: a proxy on this machine is not the browser.
      if (!LOOPBACK.has(req.ip ?? '')) throw httpError(403, 'DEV_ISSUER_LOOPBACK_ONLY', 'dev sign-in is only offered to a browser on the gateway machine');
      const role = (req.body as { role?: unknown } | undefined)?.role;
      if (!isRole(role))
        throw httpError(400, 'VALIDATION_FAILED', 'role must be one of the known roles', { errors: [{ field: 'role', message: 'unknown role' }] });
      const sub = `${role}@console`;
      const token = await opts.devIssuer.mint({ sub, roles: [role], org: opts.mspId, ttlSec: 8 * 3600 });
      res.set('cache-control', 'no-store').json({ token, sub, roles: [role], org: opts.mspId });
    }),
  );

  app.get(
    /^\/console\/api\/index(\/.*)$/,
    wrap(async (req, res) => {
      res.locals.route = '/console/api/index';
      const target = (req.params as unknown as string[])[0];
      // The path is forwarded as the caller wrote it; encoded separators or dots could make the indexer
      // route it differently from the prefix checked here, so they are refused.
      const rawPath = req.originalUrl.slice(PREFIX.length).split('?')[0];
      const roles = indexAccess(target);
      if (!roles || /\.\.|%2f|%2e|%5c/i.test(rawPath)) throw httpError(404, 'NOT_FOUND', `the console does not read ${target}`);
      const principal = await authenticate(req, res);
      if (!hasAnyRole(principal, roles)) throw httpError(403, 'ROLE_FORBIDDEN', `${target} needs one of the roles ${roles.join(', ')}`);
      const taken = opts.limiter?.take(principal.clientId) ?? { ok: true as const };
      if (!taken.ok) throw httpError(429, 'RATE_LIMITED', 'too many requests', { retryAfterSec: taken.retryAfterSec });
      const forwarded = await indexerToken(principal).catch((err: Error) => {
        opts.logger.warn(
          { err: err.message, keyFile: opts.indexerDevKeyFile },
          'cannot sign for the indexer with the dev key file; forwarding the caller token',
        );
        return undefined;
      });
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      let upstream: globalThis.Response;
      try {
        upstream = await fetch(`${opts.indexerUrl}${rawPath}${query}`, {
          headers: {
            authorization: forwarded ? `Bearer ${forwarded}` : (req.get('authorization') ?? ''),
            accept: req.get('accept') ?? '*/*',
            'x-request-id': String(res.locals.requestId ?? ''),
          },
          signal: abort.signal,
        });
      } catch (err) {
        throw httpError(503, 'INDEXER_UNAVAILABLE', `the indexer at ${opts.indexerUrl} is not reachable`, { retryAfterSec: 5, cause: (err as Error).message });
      }
      res.status(upstream.status);
      for (const h of PASSED_HEADERS) {
        const v = upstream.headers.get(h);
        if (v) res.setHeader(h, v);
      }
      if (!upstream.body) {
        res.end();
        return;
      }
      if ((upstream.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        streams.add(res);
        res.on('close', () => streams.delete(res));
      }
      const body = Readable.fromWeb(upstream.body as WebReadableStream);
      body.on('error', () => res.destroy());
      body.pipe(res);
    }),
  );

  const index = path.join(opts.dir, 'index.html');
  app.use(
    '/console',
    express.static(opts.dir, {
      index: 'index.html',
      fallthrough: true,
      maxAge: '1h',
      setHeaders: (res, file) => {
        // index.html names the hashed assets, so it must never be cached; the assets may be.
        if (file.endsWith('.html')) res.setHeader('cache-control', 'no-store');
      },
    }),
  );
  app.get(/^\/console(\/.*)?$/, (_req, res) => {
    if (fs.existsSync(index)) res.set('cache-control', 'no-store').sendFile(index);
    else res.status(503).type('text/plain').send('The console is not built: run `npm run build`.\n');
  });
  app.get('/', (_req, res) => res.redirect(302, '/console/'));
  return () => {
    for (const res of streams) res.end();
    streams.clear();
  };
}
