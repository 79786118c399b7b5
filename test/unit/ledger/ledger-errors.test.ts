import { expect } from 'chai';
import { invalidTransaction, parseChaincodeError, toServiceError } from '../../../lib/fabric/src';

describe('ledger errors', function () {
  it('finds the chaincode error object inside a peer message', function () {
    const text =
      'No valid responses from any peers. Errors:\n peer=localhost:7100, status=500, message=' +
      '{"code":"INSUFFICIENT_STOCK","field":"lines[0].quantity","message":"only 2 on hand"}';
    expect(parseChaincodeError(text)).to.deep.equal({ code: 'INSUFFICIENT_STOCK', message: 'only 2 on hand', field: 'lines[0].quantity' });
  });

  it('maps chaincode codes to HTTP statuses and keeps the field', function () {
    const err = toServiceError(new Error('message={"code":"NOT_FOUND","message":"no lot X"}'), 'submit');
    expect(err).to.include({ code: 'NOT_FOUND', httpStatus: 404, retriable: false });
    expect(toServiceError(new Error('{"code":"FORBIDDEN","message":"m"}'), 'x').httpStatus).to.equal(403);
    expect(toServiceError(new Error('{"code":"INVALID_ARGUMENT","message":"m","field":"gtin"}'), 'x').details).to.deep.equal({ field: 'gtin' });
  });

  it('answers an unknown transaction id from the block index as NOT_FOUND', function () {
    const text =
      'No valid responses from any peers. Errors:\n peer=peer0.auditor:7300, status=500, message=Failed to get block for txID ' +
      `${'b'.repeat(64)}, error no such transaction ID [${'b'.repeat(64)}] in index`;
    const err = toServiceError(new Error(text), 'GetBlockByTxID');
    expect(err).to.include({ code: 'NOT_FOUND', httpStatus: 404, retriable: false });
    expect(err.details).to.deep.equal({ field: 'txId' });
  });

  it('treats unreachable peers as retriable 503', function () {
    const err = toServiceError(new Error('14 UNAVAILABLE: No connection established'), 'submit');
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', httpStatus: 503, retriable: true });
  });

  it('treats differing endorsements as a retriable conflict', function () {
    const err = toServiceError(
      new Error('No valid responses from any peers. Errors:\n peer=undefined, status=grpc, message=Peer endorsements do not match'),
      'submit',
    );
    expect(err).to.include({ code: 'ENDORSEMENT_MISMATCH', httpStatus: 409, retriable: true });
  });

  it('treats a failed broadcast to the orderer as unavailable', function () {
    const err = toServiceError(new Error('Failed to send transaction successfully to the orderer status:SERVICE_UNAVAILABLE'), 'submit');
    expect(err).to.include({ code: 'LEDGER_UNAVAILABLE', httpStatus: 503, retriable: true });
  });

  it('marks MVCC conflicts retriable and policy failures not', function () {
    expect(invalidTransaction('t', 'MVCC_READ_CONFLICT', 'p')).to.include({ retriable: true, httpStatus: 409 });
    expect(invalidTransaction('t', 'ENDORSEMENT_POLICY_FAILURE', 'p')).to.include({ retriable: false });
  });
});
