import { expect } from 'chai';
import { ServiceError } from '../../../lib/platform/src/errors';
import { submitReplanningOnce } from '../../../lib/fabric/src/replan';

const policy = () => new ServiceError({ code: 'ENDORSEMENT_POLICY_FAILURE', message: 'committed as invalid', httpStatus: 409, retriable: false });

describe('a submission planned before a config block', () => {
  it('is planned once more after a policy failure, with the plan refreshed first', async () => {
    const calls: string[] = [];
    let n = 0;
    const out = await submitReplanningOnce(
      async () => {
        calls.push('attempt');
        if (n++ === 0) throw policy();
        return 'committed';
      },
      { refreshPlan: async () => void calls.push('refresh'), fixedEndorsers: false },
    );
    expect(out).to.equal('committed');
    expect(calls).to.deep.equal(['attempt', 'refresh', 'attempt']);
  });

  it('is not tried a third time, and other failures are not retried at all', async () => {
    let attempts = 0;
    const err = await submitReplanningOnce(
      async () => {
        attempts++;
        throw policy();
      },
      { fixedEndorsers: false },
    ).catch((e: unknown) => e);
    expect((err as ServiceError).code).to.equal('ENDORSEMENT_POLICY_FAILURE');
    expect(attempts).to.equal(2);
    attempts = 0;
    const mvcc = new ServiceError({ code: 'MVCC_READ_CONFLICT', message: 'conflict', httpStatus: 409, retriable: true });
    const other = await submitReplanningOnce(
      async () => {
        attempts++;
        throw mvcc;
      },
      { fixedEndorsers: false },
    ).catch((e: unknown) => e);
    expect(other).to.equal(mvcc);
    expect(attempts).to.equal(1);
  });

  it('gives the failure to a caller that chose its endorsing organisations', async () => {
    let attempts = 0;
    const err = await submitReplanningOnce(
      async () => {
        attempts++;
        throw policy();
      },
      { fixedEndorsers: true },
    ).catch((e: unknown) => e);
    expect((err as ServiceError).code).to.equal('ENDORSEMENT_POLICY_FAILURE');
    expect(attempts).to.equal(1);
  });
});
