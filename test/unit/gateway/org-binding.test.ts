import { expect } from 'chai';
import type { Principal } from '../../../lib/domain/src';
import { bindToOrganisation, type JwtVerifier } from '../../../lib/platform/src';

/** Tokens are "<sub>@<org>" or "<sub>" (no organisation claim). */
const inner: JwtVerifier = {
  async verify(token: string): Promise<Principal> {
    const [sub, org] = token.split('@');
    return { sub, roles: ['supplier'], clientId: `i|${sub}`, ...(org ? { org } : {}) };
  },
};

async function outcome(v: JwtVerifier, token: string): Promise<string> {
  try {
    const p = await v.verify(token);
    return `ok ${p.org}`;
  } catch (err) {
    const e = err as { httpStatus: number; code: string };
    return `${e.httpStatus} ${e.code}`;
  }
}

describe('binding a verifier to one organisation', () => {
  it('serves its own organisation, refuses another with 403 ORG_MISMATCH naming both', async () => {
    const v = bindToOrganisation(inner, { org: 'SupplierMSP', claim: 'org', required: true });
    expect(await outcome(v, 'alice@SupplierMSP')).to.equal('ok SupplierMSP');
    expect(await outcome(v, 'bob@RetailerMSP')).to.equal('403 ORG_MISMATCH');
    const err = await v.verify('bob@RetailerMSP').catch((e: Error) => e);
    expect((err as Error).message)
      .to.include('SupplierMSP')
      .and.include('RetailerMSP');
  });

  it('refuses a token without the claim when the claim is required (production), else serves it as its own', async () => {
    expect(await outcome(bindToOrganisation(inner, { org: 'SupplierMSP', claim: 'tenant', required: true }), 'carol')).to.equal('401 UNAUTHENTICATED');
    expect(await outcome(bindToOrganisation(inner, { org: 'SupplierMSP', claim: 'org', required: false }), 'carol')).to.equal('ok SupplierMSP');
  });
});
