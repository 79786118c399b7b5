/**
 * Settings of the development identity provider, read from the environment
 * once (docs/configuration.md, docs/sign-in.md).
 */
import { envInt, envList, envString, isProduction } from '../../../../lib/platform/src';
import { gatewayPort, loadDevnetConfig } from '../../config';
import type { DevIdentityProviderOptions } from './provider';
import { DEFAULT_USERS, loadUsers } from './users';

/** A resource indicator (RFC 8707): an absolute URI without a fragment. */
const RESOURCE = /^[a-z][a-z0-9+.-]*:[^#\s]+$/i;

/** Reads the provider's settings, failing on the first wrong one with its name. */
export function loadDevIdentityProviderConfig(env: NodeJS.ProcessEnv): DevIdentityProviderOptions {
  if (isProduction(env)) throw new Error("the development identity provider does not run with NODE_ENV=production: use your organisation's provider");
  const host = envString(env, 'DEV_IDP_HOST', '127.0.0.1');
  const port = envInt(env, 'DEV_IDP_PORT', 4000, 1, 65535);
  // By default the consoles of the devnet on FABRIC_PORT_BASE may sign in.
  const devnet = loadDevnetConfig({}, env);
  const consoles = devnet.orgs.map((o) => `http://127.0.0.1:${gatewayPort(devnet, o.mspId)}/console/`);
  const redirectUris = envList(env, 'DEV_IDP_REDIRECT_URIS', consoles);
  for (const u of redirectUris) if (!/^https?:\/\/[^/\s]+\/\S*$/.test(u)) throw new Error(`DEV_IDP_REDIRECT_URIS: ${u} is not an http(s) URL`);
  const issuer = envString(env, 'DEV_IDP_ISSUER');
  if (issuer && !/^https?:\/\/[^/\s]+\/?$/.test(issuer)) throw new Error(`DEV_IDP_ISSUER must be an http(s) origin, got "${issuer}"`);
  const audience = envString(env, 'DEV_IDP_AUDIENCE', 'urn:coffee-trace:api');
  if (!RESOURCE.test(audience)) throw new Error(`DEV_IDP_AUDIENCE must be an absolute URI without a fragment (a resource indicator), got "${audience}"`);
  const orgClaim = envString(env, 'DEV_IDP_ORG_CLAIM', 'coffee_org');
  const usersFile = envString(env, 'DEV_IDP_USERS_FILE');
  return {
    host,
    port,
    issuer,
    audience,
    orgClaim,
    clientId: envString(env, 'DEV_IDP_CLIENT_ID', 'coffee-console'),
    redirectUris,
    users: usersFile ? loadUsers(usersFile) : DEFAULT_USERS,
    accessTokenTtlSec: envInt(env, 'DEV_IDP_ACCESS_TOKEN_TTL', 3600, 30, 86_400),
  };
}
