/**
 * `node dist/network/src/dev-identity-provider.js`: the devnet's OpenID
 * Connect provider as its own process (stopped with SIGTERM or Ctrl-C).
 *
 *   DEV_IDP_HOST, DEV_IDP_PORT       where it listens (127.0.0.1:4000)
 *   DEV_IDP_ISSUER                   its issuer URL (http://<host>:<port>)
 *   DEV_IDP_AUDIENCE                 the API's resource indicator (urn:coffee-trace:api)
 *   DEV_IDP_ORG_CLAIM                the claim naming the organisation (coffee_org)
 *   DEV_IDP_CLIENT_ID                the console's client id (coffee-console)
 *   DEV_IDP_REDIRECT_URIS            the consoles' URLs, comma-separated (every gateway of the devnet on FABRIC_PORT_BASE)
 *   DEV_IDP_USERS_FILE               a JSON array of users (the built-in users otherwise)
 *   DEV_IDP_ACCESS_TOKEN_TTL         access-token lifetime in seconds (3600)
 */
import { envInt, envList, envString, isProduction } from '../../lib/platform/src';
import { gatewayPort, loadDevnetConfig } from './config';
import { createDevIdentityProvider, type DevIdentityProviderOptions } from './services/identity-provider/provider';
import { DEFAULT_USERS, loadUsers } from './services/identity-provider/users';

/** Reads the provider's settings from the environment, failing on the first wrong one. */
export function loadDevIdentityProviderConfig(env: NodeJS.ProcessEnv): DevIdentityProviderOptions {
  if (isProduction(env)) throw new Error('the development identity provider does not run with NODE_ENV=production: use your organisation’s provider');
  const host = envString(env, 'DEV_IDP_HOST', '127.0.0.1');
  const port = envInt(env, 'DEV_IDP_PORT', 4000, 1, 65535);
  const cfg = loadDevnetConfig({}, env);
  const redirectUris = envList(
    env,
    'DEV_IDP_REDIRECT_URIS',
    cfg.orgs.map((o) => `http://127.0.0.1:${gatewayPort(cfg, o.mspId)}/console/`),
  );
  for (const u of redirectUris) if (!/^https?:\/\/[^/]+\/\S*$/.test(u)) throw new Error(`DEV_IDP_REDIRECT_URIS: ${u} is not an http(s) URL`);
  const audience = envString(env, 'DEV_IDP_AUDIENCE', 'urn:coffee-trace:api');
  if (!/^[a-z][a-z0-9+.-]*:[^#\s]+$/i.test(audience)) throw new Error(`DEV_IDP_AUDIENCE must be an absolute URI without a fragment (a resource indicator), got "${audience}"`);
  const usersFile = envString(env, 'DEV_IDP_USERS_FILE');
  return {
    host,
    port,
    issuer: envString(env, 'DEV_IDP_ISSUER'),
    audience,
    orgClaim: envString(env, 'DEV_IDP_ORG_CLAIM', 'coffee_org'),
    clientId: envString(env, 'DEV_IDP_CLIENT_ID', 'coffee-console'),
    redirectUris,
    users: usersFile ? loadUsers(usersFile) : DEFAULT_USERS,
    accessTokenTtlSec: envInt(env, 'DEV_IDP_ACCESS_TOKEN_TTL', 3600, 30, 86_400),
  };
}

async function main(): Promise<void> {
  const opts = loadDevIdentityProviderConfig(process.env);
  const idp = createDevIdentityProvider(opts);
  const { issuer, jwksUrl } = await idp.start();
  console.log(`dev identity provider: issuer ${issuer}, JWKS ${jwksUrl}, audience ${opts.audience}, organisation claim ${opts.orgClaim}`);
  console.log(`  console client ${opts.clientId}, redirect URIs ${opts.redirectUris.join(' ')}`);
  console.log(`  users: ${opts.users.map((u) => `${u.sub} (${u.org}: ${u.roles.join(', ')})`).join('; ')}`);
  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    void idp.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`dev identity provider: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
