import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { base64url, generateKeyPair, importJWK, SignJWT } from 'jose';
import request from 'supertest';
import type { DevIssuerKeyFile } from '../../../lib/platform/src/auth/dev-issuer';
import { AUDIENCE, createTestGateway, type TestGateway } from './fakes';

/** Hostile tokens must get 401 problem+json and cause no ledger call. */
describe('gateway JWT verification rejects attacks', function () {
  this.timeout(30_000);
  let t: TestGateway;
  let good: string;
  let issuerKey: DevIssuerKeyFile;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-jwt-'));
  const body = { gtin: '04000001000012', description: 'x', unit: 'KGM' };

  before(async () => {
    t = await createTestGateway({}, path.join(dir, 'key.json'));
    issuerKey = JSON.parse(fs.readFileSync(path.join(dir, 'key.json'), 'utf8'));
    good = await t.token(['admin'], 'victim');
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: issuerKey.issuer,
    aud: AUDIENCE,
    sub: 'mallory',
    roles: ['admin'],
    iat: now(),
    exp: now() + 600,
    ...extra,
  });

  /** Signs with the real issuer key, so only the named claim is wrong. */
  async function signWithIssuer(c: Record<string, unknown>): Promise<string> {
    const key = await importJWK(issuerKey.privateJwk, 'ES256');
    return new SignJWT(c).setProtectedHeader({ alg: 'ES256', kid: issuerKey.kid }).sign(key);
  }

  async function expect401(token: string, why: string) {
    const before = t.ledger.submitted.length;
    const res = await request(t.gateway.app).post('/products').set('Authorization', `Bearer ${token}`).send(body);
    expect(res.status, `${why}: ${JSON.stringify(res.body)}`).to.equal(401);
    expect(res.body.code).to.equal('UNAUTHENTICATED');
    expect(res.headers['content-type']).to.match(/application\/problem\+json/);
    expect(t.ledger.submitted.length, why).to.equal(before);
  }

  it('accepts genuine tokens (controls)', async () => {
    await request(t.gateway.app).post('/products').set('Authorization', `Bearer ${good}`).send(body).expect(201);
    await request(t.gateway.app)
      .post('/products')
      .set('Authorization', `Bearer ${await signWithIssuer(claims())}`)
      .send(body)
      .expect(201);
  });

  it('rejects alg none', async () => {
    await expect401(`${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims())}.`, 'alg none');
    await expect401(`${enc({ alg: 'none', kid: issuerKey.kid })}.${enc(claims())}.`, 'alg none with kid');
  });

  it('rejects HS256 signed with the issuer public key', async () => {
    const jwks = (await (await fetch(issuerKey.jwksUrl)).json()) as { keys: Array<Record<string, string>> };
    const signingInput = `${enc({ alg: 'HS256', typ: 'JWT', kid: issuerKey.kid })}.${enc(claims())}`;
    for (const secret of [JSON.stringify(jwks.keys[0]), JSON.stringify(jwks), jwks.keys[0].x]) {
      await expect401(`${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`, 'HS256 with public key');
    }
  });

  it('rejects a wrong issuer', async () => expect401(await signWithIssuer(claims({ iss: 'https://evil.example' })), 'wrong iss'));
  it('rejects a wrong audience', async () => expect401(await signWithIssuer(claims({ aud: 'another-service' })), 'wrong aud'));
  it('rejects an expired token', async () => expect401(await signWithIssuer(claims({ iat: now() - 7200, exp: now() - 3600 })), 'expired'));
  it('rejects a token without exp or sub', async () => {
    await expect401(await signWithIssuer(claims({ exp: undefined })), 'no exp');
    await expect401(await signWithIssuer(claims({ sub: undefined })), 'no sub');
  });

  it('rejects an unknown kid and a foreign key using the known kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expect401(await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid' }).sign(privateKey), 'unknown kid');
    await expect401(await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: issuerKey.kid }).sign(privateKey), 'known kid, foreign key');
  });

  it('rejects a tampered payload', async () => {
    const [h, , sig] = good.split('.');
    await expect401(`${h}.${enc(claims({ sub: 'victim', roles: ['admin'] }))}.${sig}`, 'tampered');
  });

  it('rejects missing, malformed and non-Bearer authorization', async () => {
    for (const header of [undefined, 'Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'Bearer', 'Bearer a.b', `Bearer ${good} extra`]) {
      const req = request(t.gateway.app).post('/products').send(body);
      const res = header ? await req.set('Authorization', header) : await req;
      expect(res.status, String(header)).to.equal(401);
    }
  });

  it('grants nothing for unknown role names', async () => {
    const res = await request(t.gateway.app)
      .post('/products')
      .set('Authorization', `Bearer ${await signWithIssuer(claims({ roles: ['superuser', 'root'] }))}`)
      .send(body);
    expect(res.status).to.equal(403);
  });
});
