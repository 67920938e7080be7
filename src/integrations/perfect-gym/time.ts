/**
 * Perfect Gym writes date-times without an offset, in the club's local time. This turns one into
 * an instant using the location's IANA time zone (Intl gives the zone's offset at that moment).
 */
export function clubTimeToUtc(local: string | null, timeZone: string): Date | null {
  if (!local) return null;
  const asUtc = Date.parse(`${local.slice(0, 19)}Z`);
  if (Number.isNaN(asUtc)) return null;
  const offset = (at: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!) - at;
  };
  const first = asUtc - offset(asUtc);
  return new Date(asUtc - offset(first));
}
