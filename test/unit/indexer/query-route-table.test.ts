import { expect } from 'chai';
import type { Pool } from 'pg';
import request from 'supertest';
import type { Principal } from '../../../lib/domain/src';
import { listExpressRoutes, ServiceError, type JwtVerifier } from '../../../lib/platform/src';
import { createQueryApp } from '../../../indexer/src/query/app';
import { createSubscriptions } from '../../../indexer/src/query/epcis/subscriptions';
import { createIndexerMetrics } from '../../../indexer/src/query/metrics';
import { matchRoute, QUERY_ROUTES } from '../../../indexer/src/query/route-table';

/** Tokens are the role names they grant ("inventory-reader,finance"); "bad" is refused. */
const verifier: JwtVerifier = {
  async verify(token: string): Promise<Principal> {
    if (token === 'bad') throw new ServiceError({ code: 'UNAUTHENTICATED', message: 'token rejected', httpStatus: 401 });
    return { sub: 'tester', roles: token.split(',') as Principal['roles'], clientId: `test|${token}` };
  },
};

/** A pool that must not be reached: the checks under test answer before any query. */
const pool = {
  query: async () => {
    throw new Error('no database in this test');
  },
} as unknown as Pool;

function app() {
  return createQueryApp({ pool, verifier, metrics: createIndexerMetrics(), subscriptions: createSubscriptions({ pool }).routes });
}

describe('query API route table', () => {
  it('has a row for every route express serves, and a route for every row', () => {
    const served = listExpressRoutes(app());
    const table = QUERY_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(served.length).to.be.greaterThan(30);
    expect(table).to.deep.equal(served);
  });

  it('serves an OpenAPI 3.1 document of every row but wildcards, with unique operation ids and problem answers', async () => {
    const doc = (await request(app()).get('/openapi.json').expect(200)).body;
    expect(doc.openapi).to.equal('3.1.0');
    const documented: string[] = [];
    const ids = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>)) {
      for (const [m, op] of Object.entries(ops)) {
        documented.push(`${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`);
        expect(ids.has(op.operationId), op.operationId).to.equal(false);
        ids.add(op.operationId);
        expect(op.responses.default, `${m} ${p}`).to.exist;
      }
    }
    const rows = QUERY_ROUTES.filter((r) => !r.path.includes('*')).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(documented.sort()).to.deep.equal(rows.sort());
    expect(doc.paths['/lots/{gtin}/{lotCode}'].get.parameters.map((p: { name: string }) => p.name)).to.deep.equal(['gtin', 'lotCode']);
    expect(doc.paths['/lots/{gtin}/{lotCode}'].get['x-operation']).to.equal('index.stock');
  });

  it('matches paths with their parameters, first row first', () => {
    expect(matchRoute(QUERY_ROUTES, 'GET', '/epcis/queries')?.route.operationId).to.equal('listNamedQueries');
    expect(matchRoute(QUERY_ROUTES, 'GET', '/epcis/bizSteps')?.route.operationId).to.equal('listResource');
    expect(matchRoute(QUERY_ROUTES, 'HEAD', '/lots/07612345000015/L%2F1')?.params).to.deep.equal({ gtin: '07612345000015', lotCode: 'L/1' });
    expect(matchRoute(QUERY_ROUTES, 'DELETE', '/inventory')).to.equal(undefined);
  });

  it('refuses a path no row serves with 404 before asking for a token', async () => {
    const res = await request(app()).get('/no/such/route').expect(404);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
  });

  it('checks token, role and inputs from the table, in that order', async () => {
    await request(app()).get('/inventory').expect(401);
    await request(app()).get('/inventory').set('Authorization', 'Bearer bad').expect(401);
    const forbidden = await request(app()).get('/purchase-orders').set('Authorization', 'Bearer inventory-reader').expect(403);
    expect(forbidden.body.code).to.equal('ROLE_FORBIDDEN');
    const badGtin = await request(app()).get('/lots/123/L1').set('Authorization', 'Bearer inventory-reader').expect(400);
    expect(badGtin.body.errors[0].field).to.equal('gtin');
    const badLot = await request(app()).get('/inventory?lotCode=a%20b').set('Authorization', 'Bearer inventory-reader').expect(400);
    expect(badLot.body.errors[0].field).to.equal('lotCode');
    const missing = await request(app()).get('/search').set('Authorization', 'Bearer inventory-reader').expect(400);
    expect(missing.body.errors[0]).to.deep.equal({ field: 'q', message: 'is required' });
    const badBody = await request(app())
      .put('/reorder-points/7612345000015/07612345000015')
      .set('Authorization', 'Bearer retailer-ops')
      .send({ reorderPoint: 12 })
      .expect(400);
    expect(badBody.body.errors[0].field).to.equal('reorderPoint');
  });
});
