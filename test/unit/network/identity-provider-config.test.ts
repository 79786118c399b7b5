import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDevIdentityProviderConfig } from '../../../network/src/services/identity-provider/config';
import { checkPassword, DEFAULT_USERS, loadUsers } from '../../../network/src/services/identity-provider/users';

describe('the development identity provider: settings and users', () => {
  const base = { FABRIC_PORT_BASE: '7000', FABRIC_RUN_DIR: '/nonexistent/identity-provider-config' };

  it('defaults to the consoles of the devnet on FABRIC_PORT_BASE, the coffee_org claim and a URN audience', () => {
    const cfg = loadDevIdentityProviderConfig(base);
    expect(cfg.redirectUris).to.deep.equal(['http://127.0.0.1:7500/console/', 'http://127.0.0.1:7501/console/', 'http://127.0.0.1:7502/console/']);
    expect(cfg).to.include({ port: 4000, orgClaim: 'coffee_org', audience: 'urn:coffee-trace:api', clientId: 'coffee-console' });
    expect(cfg.users).to.equal(DEFAULT_USERS);
  });

  it('refuses to run in production, and names the variable of a wrong setting', () => {
    expect(() => loadDevIdentityProviderConfig({ ...base, NODE_ENV: 'Production' })).to.throw(/NODE_ENV=production/);
    expect(() => loadDevIdentityProviderConfig({ ...base, DEV_IDP_AUDIENCE: 'coffee-trace-gateway' })).to.throw(/DEV_IDP_AUDIENCE/);
    expect(() => loadDevIdentityProviderConfig({ ...base, DEV_IDP_REDIRECT_URIS: 'javascript:alert(1)' })).to.throw(/DEV_IDP_REDIRECT_URIS/);
    expect(() => loadDevIdentityProviderConfig({ ...base, DEV_IDP_ISSUER: 'http://127.0.0.1:4000/path' })).to.throw(/DEV_IDP_ISSUER/);
    expect(() => loadDevIdentityProviderConfig({ ...base, DEV_IDP_ACCESS_TOKEN_TTL: '5' })).to.throw(/DEV_IDP_ACCESS_TOKEN_TTL/);
  });

  it('reads a users file and names the entry and field at fault', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-users-'));
    try {
      const file = path.join(dir, 'users.json');
      fs.writeFileSync(file, JSON.stringify([{ sub: 'lee@roaster', password: 'pw', org: 'SupplierMSP', roles: ['supplier'] }]));
      expect(loadUsers(file)).to.deep.equal([{ sub: 'lee@roaster', password: 'pw', name: 'lee@roaster', org: 'SupplierMSP', roles: ['supplier'] }]);
      fs.writeFileSync(file, JSON.stringify([{ sub: 'lee@roaster', password: 'pw', org: 'SupplierMSP', roles: ['owner'] }]));
      expect(() => loadUsers(file)).to.throw(/user 0: roles/);
      fs.writeFileSync(file, JSON.stringify([{ sub: 'lee@roaster', password: 'pw', org: 'Supplier MSP', roles: [] }]));
      expect(() => loadUsers(file)).to.throw(/user 0: org/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs in only with the right password', () => {
    expect(checkPassword(DEFAULT_USERS, 'sam@supplier', 'sam')?.org).to.equal('SupplierMSP');
    expect(checkPassword(DEFAULT_USERS, 'sam@supplier', 'rita')).to.equal(undefined);
    expect(checkPassword(DEFAULT_USERS, 'sam@supplier', 'sam ')).to.equal(undefined);
    expect(checkPassword(DEFAULT_USERS, 'nobody', 'sam')).to.equal(undefined);
  });
});
