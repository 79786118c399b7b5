/**
 * A development OpenID Connect provider (oidc-provider, certified) for the
 * devnet and the tests: users of several organisations sign in on its login
 * page; the console signs in with authorization code and PKCE; access tokens
 * for the API (RFC 8707 resource indicator = the services' AUTH_AUDIENCE) are
 * ES256 JWTs that name the user's organisation in a configurable claim and
 * carry the user's roles. Keys are made at start, state is kept in memory.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { handleInteraction } from './login';
import type { DevUser } from './users';

export interface DevIdentityProviderOptions {
  host: string;
  port: number;
  /** Issuer URL; default http://<host>:<port>. */
  issuer?: string;
  /** The API's resource indicator, the `aud` of access tokens (the services' AUTH_AUDIENCE). */
  audience: string;
  /** The access-token claim naming the user's organisation (the services' AUTH_ORG_CLAIM). */
  orgClaim: string;
  /** The console's client id (the gateway's CONSOLE_OIDC_CLIENT_ID). */
  clientId: string;
  /** Where the console may be sent back to: each gateway's `<url>/console/`. */
  redirectUris: string[];
  users: readonly DevUser[];
  accessTokenTtlSec: number;
}

export interface DevIdentityProvider {
  start(): Promise<{ issuer: string; jwksUrl: string }>;
  stop(): Promise<void>;
}

/** The scope of the API's resource: what the console asks for beside `openid profile`. */
export const API_SCOPE = 'api';

export function createDevIdentityProvider(opts: DevIdentityProviderOptions): DevIdentityProvider {
  const issuer = (opts.issuer ?? `http://${opts.host}:${opts.port}`).replace(/\/$/, '');
  let server: http.Server | undefined;
  const byId = new Map(opts.users.map((u) => [u.sub, u]));

  async function configure() {
    // An ES module: loaded when the provider starts.
    const { default: Provider, errors } = await import('oidc-provider');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${randomBytes(4).toString('hex')}`, alg: 'ES256', use: 'sig' };
    const consoleOrigins = new Set(opts.redirectUris.map((u) => new URL(u).origin));
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: opts.clientId,
          client_name: 'coffee-trace console',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: opts.redirectUris,
          post_logout_redirect_uris: opts.redirectUris,
        },
      ],
      clientDefaults: { id_token_signed_response_alg: 'ES256' },
      jwks: { keys: [jwk] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      scopes: ['openid', 'profile'],
      claims: { openid: ['sub'], profile: ['name', opts.orgClaim] },
      findAccount: (_ctx: unknown, sub: string) => {
        const user = byId.get(sub);
        return user && { accountId: sub, claims: () => ({ sub, name: user.name, [opts.orgClaim]: user.org }) };
      },
      // The organisation and roles go into the API's access tokens, where the services read them.
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
        const user = token.accountId ? byId.get(token.accountId) : undefined;
        return user && { [opts.orgClaim]: user.org, roles: user.roles };
      },
      // The browser calls the token endpoint from the console's origin.
      clientBasedCORS: (_ctx: unknown, origin: string) => consoleOrigins.has(origin),
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // A client that names no resource still gets a token for the API.
          defaultResource: () => opts.audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => {
            if (resource !== opts.audience) throw new errors.InvalidTarget(`unknown resource ${resource}`);
            return {
              scope: API_SCOPE,
              audience: opts.audience,
              accessTokenFormat: 'jwt',
              accessTokenTTL: opts.accessTokenTtlSec,
              jwt: { sign: { alg: 'ES256' } },
            };
          },
        },
      },
      pkce: { required: () => true },
      ttl: { AccessToken: opts.accessTokenTtlSec, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    });
    return provider;
  }

  return {
    async start() {
      const provider = await configure();
      const oidc = provider.callback();
      server = http.createServer((req, res) => {
        const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0]);
        if (!m) return oidc(req, res);
        handleInteraction(req, res, Boolean(m[2]), { provider, users: opts.users, issuer, redirectUris: opts.redirectUris }).catch((err: Error) => {
          if (res.headersSent) return void res.destroy();
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
          res.end(`sign-in failed: ${err.message}\n`);
        });
      });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port, opts.host, () => resolve());
      });
      return { issuer, jwksUrl: `${issuer}/jwks` };
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
