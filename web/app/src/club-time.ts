import { locale } from './i18n';

/*
 * Class times are shown in the location's time zone, whatever the phone's: a member travelling, or
 * a club's website opened abroad, still sees the time on the club's clock.
 */

const dayKeyFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayKey(at: string | Date, timeZone: string): string {
  let format = dayKeyFormats.get(timeZone);
  if (!format) dayKeyFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(new Date(at));
}

/** The days from `from` to `to` (exclusive) in a time zone, as day keys, in order. */
export function daysBetween(from: string, to: string, timeZone: string): string[] {
  const days: string[] = [];
  // Noon-to-noon steps of 24 h could skip or repeat a day across a DST change; hourly steps cannot.
  for (let at = new Date(from).getTime(); at < new Date(to).getTime(); at += 3600_000) {
    const key = dayKey(new Date(at), timeZone);
    if (days[days.length - 1] !== key) days.push(key);
  }
  return days;
}

export function formatTime(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(at));
}

/** A day key as a short label (Tue 3 Dec); its noon UTC is that calendar day everywhere. */
export function formatDay(key: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${key}T12:00:00Z`));
}

export function formatDateTime(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(at));
}

/** Whether the phone's own time zone differs from the club's (then the list says which zone its times are in). */
export function isForeignZone(timeZone: string): boolean {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone !== timeZone;
}
