/**
 * Perfect Gym date-times: instances we know write them without an offset, in the club's local
 * time, but its published Swagger types them `date-time` and shows literals with offsets. A value
 * with an offset (`Z`, `+02:00`) is that instant; one without is club-local and converted with the
 * location's IANA time zone (Intl gives the zone's offset at that moment).
 */

// Building an Intl.DateTimeFormat costs ~120 µs, using one ~9 µs: syncs convert hundreds of
// thousands of dates, so keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at that instant, in milliseconds. */
function exactOffset(at: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - (at - (at % 1000));
}

const DAY_MS = 86_400_000;
// zone -> UTC day -> the offset when it is the same all day, null on a day with a DST transition
const dayOffsets = new Map<string, Map<number, number | null>>();

/** Offsets change at most once a day: one lookup per zone and day serves every other date that day. */
function offsetAt(at: number, timeZone: string): number {
  const day = Math.floor(at / DAY_MS);
  let days = dayOffsets.get(timeZone);
  if (!days) dayOffsets.set(timeZone, (days = new Map()));
  let offset = days.get(day);
  if (offset === undefined) {
    const start = exactOffset(day * DAY_MS, timeZone);
    offset = start === exactOffset((day + 1) * DAY_MS - 1000, timeZone) ? start : null;
    days.set(day, offset);
  }
  return offset ?? exactOffset(at, timeZone);
}

const WITH_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;

export function clubTimeToUtc(local: string | null, timeZone: string): Date | null {
  if (!local) return null;
  if (WITH_OFFSET.test(local)) {
    const instant = Date.parse(local);
    return Number.isNaN(instant) ? null : new Date(Math.floor(instant / 1000) * 1000);
  }
  const asUtc = Date.parse(`${local.slice(0, 19)}Z`);
  if (Number.isNaN(asUtc)) return null;
  const first = asUtc - offsetAt(asUtc, timeZone);
  return new Date(asUtc - offsetAt(first, timeZone));
}
