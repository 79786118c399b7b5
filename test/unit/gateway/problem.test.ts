import { expect } from 'chai';
import { invalidInput, MAX_LISTED_ERRORS, toProblem } from '../../../lib/platform/src/http/problem';

describe('problem+json answers', () => {
  it('lists at most 50 field errors and says how many there were', () => {
    const errors = Array.from({ length: 1234 }, (_, i) => ({ field: `E1MBXYI[${i + 1}].ERFMG`, message: 'must be a quantity' }));
    const p = toProblem(invalidInput(errors, 422, 'INVALID_DOCUMENT'), 'req-1');
    expect(p.status).to.equal(422);
    expect(p.errors).to.have.length(MAX_LISTED_ERRORS);
    expect(p.errors![0].field).to.equal('E1MBXYI[1].ERFMG');
    expect(p.errorCount).to.equal(1234);
    expect(p.message).to.include('and 1233 more');
  });

  it('lists every error, without a count, when there are few', () => {
    const p = toProblem(invalidInput([{ field: 'gtin', message: 'has a wrong check digit' }]));
    expect(p.errors).to.deep.equal([{ field: 'gtin', message: 'has a wrong check digit' }]);
    expect(p).to.not.have.property('errorCount');
  });
});
