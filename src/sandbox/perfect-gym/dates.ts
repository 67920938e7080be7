/**
 * How the sandbox writes date-times. The store keeps them as live instances we know send them:
 * club-local, without an offset ('2024-07-01T00:00:00'). Perfect Gym's Swagger types them
 * `date-time` with offsets, so a client must also cope with `Z` and `+hh:mm`:
 *
 * - `local`: as stored, club-local without an offset (the default);
 * - `utc`: the same instant in UTC with `Z` (`2024-06-30T22:00:00Z` for a Warsaw club in summer);
 * - `offset`: the same club-local digits with the club's offset at that moment (`2024-07-01T00:00:00+02:00`).
 *
 * The club is the row's `clubId` (Members: `homeClubId`). `birthdate` is a calendar date, not an
 * instant: its digits never shift, it only gains the suffix (`Z`, or the club's offset). A local
 * time the clocks skipped (02:30 on a spring-forward night) is the moment after the switch.
 * A value that already carries an offset is sent as it is.
 */
import type { Row, SetName, Value } from './store.js';

export const DATE_FORMATS = ['local', 'utc', 'offset'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** The date-time fields of each set. */
export const DATE_FIELDS: Record<SetName, readonly string[]> = {
  Clubs: [],
  Members: ['birthdate', 'createdDate'],
  Contracts: ['signUpDate', 'startDate', 'endDate', 'cancelDate'],
  PaymentPlans: [],
  Products: [],
  MemberProducts: ['purchaseDate', 'expiryDate'],
  MemberClubVisits: ['enterDate', 'leaveDate'],
};
const CALENDAR_DATES = new Set(['birthdate']);

const LOCAL = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The zone's offset from UTC at an instant, in minutes (Warsaw in summer: 120). */
export function offsetMinutes(instantMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, f);
  }
  const name = f.formatToParts(instantMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The instant a club-local 'YYYY-MM-DDTHH:mm:ss' names in a zone (two passes, for DST edges). */
export function localToInstant(local: string, timeZone: string): number {
  const asUtc = Date.parse(`${local.slice(0, 19)}Z`);
  const first = asUtc - offsetMinutes(asUtc, timeZone) * 60_000;
  const second = asUtc - offsetMinutes(first, timeZone) * 60_000;
  return second;
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** One stored value in the chosen form. */
export function formatDateTime(value: Value, format: DateFormat, timeZone: string, calendarDate = false): Value {
  if (format === 'local' || typeof value !== 'string') return value;
  const m = LOCAL.exec(value);
  if (!m) return value; // already with an offset, or not a date-time
  const local = m[1]!;
  const instant = localToInstant(local, timeZone);
  if (format === 'utc') return calendarDate ? `${local}Z` : `${new Date(instant).toISOString().slice(0, 19)}Z`;
  const offset = offsetMinutes(instant, timeZone);
  // the digits of that instant in the zone: the stored ones, except for a time the clocks skipped
  // (02:30 on a spring-forward night is 03:30 after the switch, as in the UTC form)
  const digits = calendarDate ? local : new Date(instant + offset * 60_000).toISOString().slice(0, 19);
  return `${digits}${offsetText(offset)}`;
}

/** A copy of the row with its date-times in the chosen form (the row itself when `local`). */
export function formatRow(set: SetName, row: Row, format: DateFormat, zoneOf: (clubId: Value) => string): Row {
  const fields = DATE_FIELDS[set];
  if (format === 'local' || !fields.length) return row;
  const timeZone = zoneOf(set === 'Members' ? (row.homeClubId ?? null) : (row.clubId ?? null));
  const out = { ...row };
  for (const f of fields) out[f] = formatDateTime(row[f] ?? null, format, timeZone, CALENDAR_DATES.has(f));
  return out as Row;
}
