import type { ClassForMember } from '../bookings/service.js';
import type { ClassSession } from '../classes/repository.js';

/*
 * The body of GET /me/classes, written by hand around a JSON text kept per class session: the
 * sessions come from the location's shared schedule (src/classes/schedule.ts), the same objects for
 * every member asking within its TTL, so each is stringified once rather than once per request
 * (stringifying ~19 kB was 10% of the route's CPU). Only the member's fields (booking and waitlist
 * state, all numbers, booleans and fixed words) are written per request. The output is byte for byte what JSON.stringify of the spread items gave.
 */
const openJsonOf = new WeakMap<ClassSession, string>();

function sessionJsonWithoutClosingBrace(session: ClassSession): string {
  let json = openJsonOf.get(session);
  if (json === undefined) {
    json = JSON.stringify(session).slice(0, -1);
    openJsonOf.set(session, json);
  }
  return json;
}

function classJson(item: ClassForMember): string {
  // reason and waitlistReason are each one of a fixed set of plain words: nothing to escape.
  const reason = item.reason === null ? '' : `,"reason":"${item.reason}"`;
  const w = item.waitlist;
  const position = w.position === null ? '' : `,"position":${w.position}`;
  const entryId = w.entryId === null ? '' : `,"entryId":${w.entryId}`;
  const waitlistReason = item.waitlistReason === null ? '' : `,"waitlistReason":"${item.waitlistReason}"`;
  return (
    `${sessionJsonWithoutClosingBrace(item.session)},"bookable":${item.bookable}${reason},"bookingId":${item.bookingId ?? 'null'}` +
    `,"waitlist":{"capacity":${w.capacity},"count":${w.count}${position}${entryId}},"canJoinWaitlist":${item.canJoinWaitlist}${waitlistReason}}`
  );
}

export function classListJson(list: { locationId: number; from: Date; to: Date; items: ClassForMember[] }): string {
  const head = JSON.stringify({ locationId: list.locationId, from: list.from, to: list.to }).slice(0, -1);
  return `${head},"items":[${list.items.map(classJson).join(',')}]}`;
}
