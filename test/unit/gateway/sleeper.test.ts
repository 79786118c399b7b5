import { expect } from 'chai';
import { createSleeper } from '../../../gateway/src/submission/sleeper';

describe("a polling worker's waits", () => {
  it('end after their time when nobody wakes them', async () => {
    const { sleep } = createSleeper();
    const t0 = Date.now();
    await sleep(30);
    expect(Date.now() - t0).to.be.at.least(25);
  });

  it('all end at once on wakeAll, and a later wait is not cut short by an earlier wake', async () => {
    const s = createSleeper({ unref: true });
    const ended: number[] = [];
    const waits = [1, 2, 3].map((n) => s.sleep(60_000).then(() => ended.push(n)));
    s.wakeAll();
    await Promise.all(waits);
    expect(ended.sort()).to.deep.equal([1, 2, 3]);
    const t0 = Date.now();
    await s.sleep(30);
    expect(Date.now() - t0).to.be.at.least(25);
  });
});
