/**
 * `node dist/network/src/dev-identity-provider.js`: the devnet's OpenID
 * Connect provider as its own process, configured by DEV_IDP_* variables
 * (docs/sign-in.md); SIGTERM or Ctrl-C stops it.
 */
import { loadDevIdentityProviderConfig } from './services/identity-provider/config';
import { createDevIdentityProvider } from './services/identity-provider/provider';

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

main().catch((err: unknown) => {
  console.error(`dev identity provider: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
