import { expect } from 'chai';
import pino from 'pino';
import request from 'supertest';
import { ServiceError } from '../../../../lib/platform/src';
import { createTestGateway, type TestGateway } from '../fakes';
import { SAMPLES } from '../samples';

interface Line {
  level: number;
  msg: string;
  requestId?: string;
  code?: string;
  status?: number;
  detail?: string;
  err?: { stack?: string };
}

describe('gateway request log', () => {
  let t: TestGateway;
  let auth: string;
  const lines: Line[] = [];
  const linesOf = (requestId: string) => lines.filter((l) => l.requestId === requestId);

  before(async () => {
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
    t = await createTestGateway({ logger });
    auth = `Bearer ${await t.token(['admin'])}`;
  });
  after(() => t.close());

  it('tells a chaincode rejection (409) in one info line with its code and message, without a stack', async () => {
    t.ledger.failNext.push(
      new ServiceError({ code: 'CONFLICT', message: 'eventId e-1 was already used with different content', httpStatus: 409, details: { field: 'eventId' } }),
    );
    const res = await request(t.gateway.app)
      .post('/products')
      .set('Authorization', auth)
      .set('X-Request-Id', 'req-conflict-1')
      .send(SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(409);
    const mine = linesOf('req-conflict-1');
    expect(mine, JSON.stringify(mine)).to.have.length(1);
    expect(mine[0]).to.include({ level: 30, msg: 'request', status: 409, code: 'CONFLICT', detail: 'eventId e-1 was already used with different content' });
    expect(mine[0].err).to.equal(undefined);
  });

  it('tells bad input (400) in one info line', async () => {
    const res = await request(t.gateway.app).post('/products').set('Authorization', auth).set('X-Request-Id', 'req-bad-1').send({ gtin: 'x' });
    expect(res.status).to.equal(400);
    const mine = linesOf('req-bad-1');
    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({ level: 30, status: 400, code: res.body.code });
    expect(JSON.stringify(mine[0])).to.not.match(/\n\s+at /);
  });

  it('logs a failure of its own (5xx) at error level with the stack', async () => {
    t.ledger.failNext.push(new Error('socket hang up'));
    const res = await request(t.gateway.app)
      .post('/products')
      .set('Authorization', auth)
      .set('X-Request-Id', 'req-crash-1')
      .send(SAMPLES.registerProduct.body as object);
    expect(res.status).to.be.at.least(500);
    const errors = linesOf('req-crash-1').filter((l) => l.level >= 50);
    expect(errors).to.have.length(1);
    expect(errors[0].err?.stack).to.match(/socket hang up\n\s+at /);
  });
});
