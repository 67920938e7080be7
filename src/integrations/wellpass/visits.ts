import { getEventWithDoorType } from '../../access/repository.js';
import type { AppContext } from '../../context.js';
import { claimVisit, heldBookingsAt, unclaimVisit } from './repository.js';
import type { Venue, Wellpass } from './side.js';

const DAY = 24 * 3600_000;

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
const localDay = (at: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/**
 * A door entry of a member holding a Wellpass booking that day at that venue is the visit Wellpass
 * pays for: validated once per member, venue and local day (the first entry claims the day; a
 * failed call gives the claim back, so the outbox's retry validates it then).
 */
export async function validateVisit(ctx: AppContext, w: Wellpass, venue: Venue, doorEventId: number): Promise<void> {
  const entry = await getEventWithDoorType(ctx.db, doorEventId);
  if (!entry || entry.clientId === null || entry.doorType === 'exit' || entry.locationId !== venue.location.id) return;
  const zone = venue.location.timezone;
  const day = localDay(entry.occurredAt, zone);
  const near = await heldBookingsAt(ctx.db, w.integration.id, entry.clientId, venue.location.id, new Date(entry.occurredAt.getTime() - DAY), new Date(entry.occurredAt.getTime() + DAY));
  const booking = near.find((b) => localDay(b.startsAt, zone) === day);
  if (!booking) return;
  const visit = { clientId: entry.clientId, locationId: venue.location.id, day, doorEventId };
  if (!(await claimVisit(ctx.db, w.integration.id, visit, ctx.now()))) return;
  try {
    await w.api.validateVisit(venue.uuid, booking.token);
  } catch (err) {
    await unclaimVisit(ctx.db, w.integration.id, visit);
    throw err;
  }
}
