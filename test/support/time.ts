/**
 * Tomorrow (UTC) at that hour, as ISO: classes far enough ahead for every rule (waitlist cut-off
 * included), and for hours 6 to 20 on one calendar day in every European club's zone, whenever the
 * test runs.
 */
export function tomorrowAt(hourUtc: number): string {
  const day = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
  return `${day}T${String(hourUtc).padStart(2, '0')}:00:00.000Z`;
}
