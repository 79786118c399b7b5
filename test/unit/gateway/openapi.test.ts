import { expect } from 'chai';
import request from 'supertest';
import { listExpressRoutes } from '../../../gateway/src/http/app';
import { createTestGateway, type TestGateway } from './fakes';

describe('gateway OpenAPI document', () => {
  let t: TestGateway;
  before(async () => {
    t = await createTestGateway();
  });
  after(() => t.close());

  it('lists every route express serves, and nothing else', async () => {
    const doc = (await request(t.gateway.app).get('/openapi.json').expect(200)).body;
    expect(doc.openapi).to.equal('3.1.0');
    const documented: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(ops)) documented.push(`${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`);
    }
    const served = listExpressRoutes(t.gateway.app);
    expect(served.length).to.be.greaterThan(20);
    expect(documented.sort()).to.deep.equal(served);
  });

  it('documents request bodies with the validation schemas, roles and problem responses', async () => {
    const doc = (await request(t.gateway.app).get('/openapi.json')).body;
    const op = doc.paths['/lots'].post;
    expect(op.requestBody.content['application/json'].schema.$ref).to.equal('#/components/schemas/CommissionLot');
    expect(doc.components.schemas.CommissionLot.required).to.include('quantity');
    expect(op['x-roles']).to.include('supplier');
    expect(op.responses['400'].content['application/problem+json']).to.exist;
    expect(op.security).to.deep.equal([{ bearer: [] }]);
    expect(doc.paths['/healthz'].get.security).to.deep.equal([]);
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>)) {
      for (const o of Object.values(ops)) {
        expect(ids.has(o.operationId), o.operationId).to.equal(false);
        ids.add(o.operationId);
      }
    }
  });

  it('documents /metrics as the Prometheus text it serves', async () => {
    const doc = (await request(t.gateway.app).get('/openapi.json')).body;
    const documented = Object.keys(doc.paths['/metrics'].get.responses['200'].content);
    expect(documented).to.deep.equal(['text/plain']);
    const res = await request(t.gateway.app).get('/metrics').expect(200);
    expect(res.headers['content-type'].split(';')[0]).to.equal(documented[0]);
    expect(res.text).to.match(/^# HELP /m);
  });
});
