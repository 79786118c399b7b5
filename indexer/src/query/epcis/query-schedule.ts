/**
 * Query schedules of the EPCIS REST binding (`schedule: {second, minute, hour,
 * dayOfMonth, month, dayOfWeek}`), turned into cron patterns that croner
 * evaluates. Each field is a comma-separated list of numbers and bracketed
 * ranges (`1,5,[10-20]`); a time matches when every given field matches (day
 * of month AND day of week, as EPCIS says, not cron's OR). An omitted field
 * finer than the finest given one takes its lowest value (so `{hour: "1",
 * minute: "5"}` fires once, at 01:05:00); coarser omitted fields match any value.
 */
import { Cron } from 'croner';
import { badRequest } from '../http-errors';

/** A subscription's schedule as the binding writes it. */
export interface QuerySchedule {
  second?: string;
  minute?: string;
  hour?: string;
  dayOfMonth?: string;
  month?: string;
  dayOfWeek?: string;
}

/** Fields from the finest to the coarsest, with their range. */
const FIELDS = [
  { key: 'second', min: 0, max: 59 },
  { key: 'minute', min: 0, max: 59 },
  { key: 'hour', min: 0, max: 23 },
  { key: 'dayOfMonth', min: 1, max: 31 },
  { key: 'month', min: 1, max: 12 },
  // 1 is Monday … 7 is Sunday; cron reads 7 as Sunday too.
  { key: 'dayOfWeek', min: 1, max: 7 },
] as const;

const ELEMENT = /^(\d{1,2})$|^\[(\d{1,2})-(\d{1,2})\]$/;

/** One field as a cron field; throws a 400 naming `schedule.<field>`. */
function cronField(key: string, value: unknown, min: number, max: number): string {
  const where = `schedule.${key}`;
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${where} must be a string such as "5", "1,15" or "[10-20]"`, where);
  return value
    .split(',')
    .map((part) => {
      const m = ELEMENT.exec(part.trim());
      if (!m) throw badRequest(`${where}: "${part}" is neither a number nor a range [a-b]`, where);
      const [lo, hi] = m[1] !== undefined ? [Number(m[1]), Number(m[1])] : [Number(m[2]), Number(m[3])];
      if (lo < min || hi > max || lo > hi) throw badRequest(`${where}: "${part}" is outside ${min}-${max}`, where);
      return lo === hi ? String(lo) : `${lo}-${hi}`;
    })
    .join(',');
}

/** Checks a schedule and returns its normalised form; a 400 names the field. */
export function checkSchedule(raw: unknown): QuerySchedule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('schedule must be an object', 'schedule');
  const known = new Set<string>(FIELDS.map((f) => f.key));
  for (const k of Object.keys(raw)) if (!known.has(k)) throw badRequest(`schedule.${k} is not a schedule field`, `schedule.${k}`);
  const out: QuerySchedule = {};
  for (const f of FIELDS) {
    const v = (raw as Record<string, unknown>)[f.key];
    if (v !== undefined) out[f.key] = cronField(f.key, v, f.min, f.max);
  }
  if (Object.keys(out).length === 0) throw badRequest('schedule must give at least one field', 'schedule');
  return out;
}

/** The six-field cron pattern (seconds first) of a checked schedule. */
export function cronPattern(s: QuerySchedule): string {
  const finest = FIELDS.findIndex((f) => s[f.key] !== undefined);
  return FIELDS.map((f, i) => s[f.key] ?? (i < finest && i < 3 ? String(f.min) : '*')).join(' ');
}

/** The first time after `after` that the schedule matches (UTC), or null when it never will (e.g. 31 February). */
export function nextRun(s: QuerySchedule, after: Date): Date | null {
  const cron = new Cron(cronPattern(s), { timezone: 'Etc/UTC', domAndDow: true, paused: true });
  return cron.nextRun(after);
}
