import { expect } from 'chai';
import { type ServiceError } from '../../../lib/platform/src';
import { checkSchedule, cronPattern, nextRun } from '../../../indexer/src/query/epcis/query-schedule';

const refusal = (raw: unknown): { field?: unknown; status: number } => {
  try {
    checkSchedule(raw);
  } catch (err) {
    const e = err as ServiceError;
    return { field: e.details?.field, status: e.httpStatus };
  }
  throw new Error('accepted');
};

describe('EPCIS query schedules', () => {
  it('turns the binding fields into a cron pattern: finer omitted fields take their lowest value, coarser ones any', () => {
    expect(cronPattern(checkSchedule({ hour: '1', minute: '5' }))).to.equal('0 5 1 * * *');
    expect(cronPattern(checkSchedule({ second: '0,30' }))).to.equal('0,30 * * * * *');
    expect(cronPattern(checkSchedule({ dayOfMonth: '1' }))).to.equal('0 0 0 1 * *');
    expect(cronPattern(checkSchedule({ hour: '[8-17]', dayOfWeek: '1,[3-5]' }))).to.equal('0 0 8-17 * * 1,3-5');
    expect(cronPattern(checkSchedule({ minute: 15 }))).to.equal('0 15 * * * *');
  });

  it('finds the next run in UTC; day of month and day of week must both match', () => {
    expect(nextRun(checkSchedule({ hour: '1', minute: '5' }), new Date('2026-01-01T02:00:00Z'))!.toISOString()).to.equal('2026-01-02T01:05:00.000Z');
    expect(nextRun(checkSchedule({ second: '0,30' }), new Date('2026-01-01T00:00:00Z'))!.toISOString()).to.equal('2026-01-01T00:00:30.000Z');
    // Friday the 13th: February 2026 is the first after New Year.
    expect(nextRun(checkSchedule({ dayOfMonth: '13', dayOfWeek: '5' }), new Date('2026-01-01T00:00:00Z'))!.toISOString()).to.equal('2026-02-13T00:00:00.000Z');
    // Sunday is 7.
    expect(nextRun(checkSchedule({ dayOfWeek: '7' }), new Date('2026-01-01T00:00:00Z'))!.toISOString()).to.equal('2026-01-04T00:00:00.000Z');
  });

  it('refuses malformed schedules with a 400 naming the field', () => {
    expect(refusal({ second: '60' })).to.deep.equal({ field: 'schedule.second', status: 400 });
    expect(refusal({ hour: '*/2' })).to.deep.equal({ field: 'schedule.hour', status: 400 });
    expect(refusal({ dayOfWeek: '0' })).to.deep.equal({ field: 'schedule.dayOfWeek', status: 400 });
    expect(refusal({ month: '[5-2]' })).to.deep.equal({ field: 'schedule.month', status: 400 });
    expect(refusal({ minute: '' })).to.deep.equal({ field: 'schedule.minute', status: 400 });
    expect(refusal({ week: '1' })).to.deep.equal({ field: 'schedule.week', status: 400 });
    expect(refusal({})).to.deep.equal({ field: 'schedule', status: 400 });
    expect(refusal('hourly')).to.deep.equal({ field: 'schedule', status: 400 });
  });
});
