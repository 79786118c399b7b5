import { expect } from 'chai';
import { isProduction, loadAuthConfig, requireDatabaseUrl } from '../../../lib/platform/src';

describe('token and database settings', () => {
  const defaults = { audience: 'coffee-trace-gateway', devKeyFile: '/tmp/k.json' };

  it('recognises production whatever the case of NODE_ENV', () => {
    for (const v of ['production', 'Production', 'PRODUCTION', ' production ']) expect(isProduction({ NODE_ENV: v }), v).to.equal(true);
    for (const v of [undefined, '', 'development', 'prod']) expect(isProduction({ NODE_ENV: v }), String(v)).to.equal(false);
  });

  it('refuses the dev issuer and a plain-http JWKS URL in production', () => {
    expect(() => loadAuthConfig({ NODE_ENV: 'Production' }, defaults)).to.throw(/AUTH_JWKS_URL is required/);
    expect(() => loadAuthConfig({ NODE_ENV: 'PRODUCTION', AUTH_JWKS_URL: 'http://idp/jwks', AUTH_ISSUER: 'https://idp/' }, defaults)).to.throw(
      /AUTH_JWKS_URL must be https/,
    );
    const ok = loadAuthConfig({ NODE_ENV: 'Production', AUTH_JWKS_URL: 'https://idp/jwks', AUTH_ISSUER: 'https://idp/' }, defaults);
    expect(ok).to.include({ devIssuer: false, jwksUrl: 'https://idp/jwks', issuer: 'https://idp/' });
  });

  it('uses the dev issuer outside production when no JWKS URL is given', () => {
    expect(loadAuthConfig({}, defaults)).to.include({ devIssuer: true, audience: 'coffee-trace-gateway' });
  });

  it('requires DATABASE_URL and says how to give it', () => {
    expect(() => requireDatabaseUrl({})).to.throw(/DATABASE_URL is required/);
    expect(() => requireDatabaseUrl({ DATABASE_URL: 'mysql://x' })).to.throw(/DATABASE_URL must be a postgres/);
    expect(requireDatabaseUrl({ DATABASE_URL: 'postgres://u:p@h:5432/d' })).to.equal('postgres://u:p@h:5432/d');
  });
});
