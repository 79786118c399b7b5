import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadIndexerConfig } from '../../../indexer/src/config';
import { bindToOwner, ownerView } from '../../../indexer/src/query/owner-binding';
import type { Principal } from '../../../lib/domain/src';
import type { JwtVerifier } from '../../../lib/platform/src';

/** Tokens are "<sub>@<org>[+auditor]" or "<sub>" (no organisation claim). */
const inner: JwtVerifier = {
  async verify(token: string): Promise<Principal> {
    const [who, extra] = token.split('+');
    const [sub, org] = who.split('@');
    return {
      sub,
      roles: extra === 'auditor' ? ['auditor'] : ['retailer-ops'],
      clientId: `i|${sub}`,
      ...(org ? { org } : {}),
    };
  },
};

async function outcome(v: JwtVerifier, token: string): Promise<string> {
  try {
    return `ok ${(await v.verify(token)).org ?? '-'}`;
  } catch (err) {
    const e = err as { httpStatus: number; code: string };
    return `${e.httpStatus} ${e.code}`;
  }
}

const member = {
  org: 'Supplier2MSP',
  role: 'member' as const,
  claim: 'org',
  required: false,
};

describe('whose tokens an indexer serves (its owner)', () => {
  it('a member’s indexer serves its own organisation and refuses another with 403 ORG_MISMATCH naming both', async () => {
    const v = bindToOwner(inner, member);
    expect(await outcome(v, 'a@Supplier2MSP')).to.equal('ok Supplier2MSP');
    expect(await outcome(v, 'b@Supplier1MSP')).to.equal('403 ORG_MISMATCH');
    const err = (await v.verify('b@Supplier1MSP').catch((e: Error) => e)) as Error;
    expect(err.message).to.include('this indexer serves Supplier2MSP').and.include('Supplier1MSP');
    // Without the claim: its own outside production, refused when the claim is required.
    expect(await outcome(v, 'c')).to.equal('ok Supplier2MSP');
    expect(await outcome(bindToOwner(inner, { ...member, required: true }), 'c')).to.equal('401 UNAUTHENTICATED');
  });

  it('a member’s indexer refuses the auditor role, its own organisation’s too; an auditor’s indexer serves every member', async () => {
    expect(await outcome(bindToOwner(inner, member), 'a@Supplier2MSP+auditor')).to.equal('403 AUDITOR_ON_MEMBER_INDEXER');
    expect(await outcome(bindToOwner(inner, member), 'x@AuditorMSP+auditor')).to.equal('403 ORG_MISMATCH');
    const auditor = bindToOwner(inner, {
      ...member,
      org: 'AuditorMSP',
      role: 'auditor',
    });
    expect(await outcome(auditor, 'b@Supplier1MSP')).to.equal('ok Supplier1MSP');
    expect(await outcome(auditor, 'a@Supplier2MSP')).to.equal('ok Supplier2MSP');
    expect(await outcome(auditor, 'x@AuditorMSP+auditor')).to.equal('ok AuditorMSP');
  });

  it('INDEXER_OWNER_ROLE: member unless set, auditor or member only; a member’s relay publishes its view', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'owner-role-'));
    try {
      const key = path.join(dir, 'user.key');
      const cert = path.join(dir, 'user.pem');
      const subj = ['-subj', '/CN=user', '-days', '1'];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, ...subj], {
        stdio: 'ignore',
      });
      const profile = path.join(dir, 'profile.json');
      fs.writeFileSync(
        profile,
        JSON.stringify({
          name: 'p',
          client: { organization: 'Supplier2' },
          organizations: {
            Supplier2: { mspid: 'Supplier2MSP', peers: ['peer0'] },
          },
          peers: {
            peer0: {
              url: 'grpcs://localhost:7051',
              tlsCACerts: { path: cert },
            },
          },
        }),
      );
      const env = {
        FABRIC_CONNECTION_PROFILE: profile,
        FABRIC_CERT_FILE: cert,
        FABRIC_KEY_FILE: key,
        FABRIC_CHANNEL: 'supplychain',
        DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
        INDEXER_KAFKA: 'off',
      };
      const cfg = loadIndexerConfig(env);
      expect(cfg.ownerRole).to.equal('member');
      expect(ownerView(cfg)).to.deep.equal({
        org: 'Supplier2MSP',
        prefix: 'supplychain',
      });
      expect(loadIndexerConfig({ ...env, INDEXER_OWNER_ROLE: 'auditor' }).ownerRole).to.equal('auditor');
      expect(ownerView({ ...cfg, ownerRole: 'auditor' })).to.equal(undefined);
      expect(() => loadIndexerConfig({ ...env, INDEXER_OWNER_ROLE: 'owner' })).to.throw(/INDEXER_OWNER_ROLE.*member, auditor/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
