import { expect } from 'chai';
import { ssccOf } from '../../../indexer/src/query/operations-routes';

describe('search: SSCC forms', () => {
  it('reads 18 digits, a Digital Link with AI 00 and an EPC URN, and nothing else', () => {
    expect(ssccOf('106141411234567897')).to.equal('106141411234567897');
    expect(ssccOf('https://id.gs1.org/00/106141411234567897')).to.equal('106141411234567897');
    // GS1's example: urn:epc:id:sscc:0614141.1123456789 is SSCC (00) 1 0614141 123456789 7.
    expect(ssccOf('urn:epc:id:sscc:0614141.1123456789')).to.equal('106141411234567897');
    expect(ssccOf('SH-B-1')).to.equal(undefined);
    expect(ssccOf('1061414112345678')).to.equal(undefined);
    expect(ssccOf('urn:epc:id:sscc:0614141.123')).to.equal(undefined);
  });
});
