/**
 * Bookings members make through the aggregator, and the partner's decisions on them. A request
 * left PENDING past the decision deadline is rejected for the partner (TECHNICAL_ERROR, "no answer
 * in time"): on a timer armed for the earliest deadline, and before every read, so no caller ever
 * sees a booking that should have expired. A decision arriving afterwards is refused (409
 * `booking.expired`); repeating a decision already taken is harmless (200, nothing changes).
 */
import type { Decision, DecisionStatus, ReasonCategory, WellpassUser } from './dto.js';
import { WellpassError } from './errors.js';

/** The decisions, plus a member's own cancellation (`CANCELED`, or `LATE_CANCELED` past the window). */
export type BookingStatus = 'PENDING' | DecisionStatus | 'CANCELED' | 'LATE_CANCELED';

export interface Booking {
  booking_number: string;
  slot_id: number;
  class_id: number;
  gym_id: string;
  user: WellpassUser;
  status: BookingStatus;
  reason: string | null;
  reason_category: ReasonCategory | null;
  /** ISO 8601 (UTC). */
  requested_at: string;
  decided_at: string | null;
}

interface Entry {
  booking: Booking;
  requestedMs: number;
  /** Rejected by the deadline, not by the partner. */
  expired: boolean;
}

/** Which decision may follow which: the partner can still cancel a reservation, nothing else changes a decision. */
const NEXT: Record<BookingStatus, readonly DecisionStatus[]> = {
  PENDING: ['RESERVED', 'REJECTED', 'CANCELLED_BY_GYM'],
  RESERVED: ['CANCELLED_BY_GYM'],
  REJECTED: [],
  CANCELLED_BY_GYM: [],
  CANCELED: [],
  LATE_CANCELED: [],
};

export class Bookings {
  private readonly entries = new Map<string, Entry>();
  /**
   * The PENDING ones, in the order they were requested: every request has the same deadline, so the
   * first is always the next to expire, and a sweep stops at the first one not due (a scan of every
   * booking per call made each decision cost O(bookings): 10,000 of them timed clubcore out).
   */
  private readonly pending = new Map<string, Entry>();
  private nextNumber = 1;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deadlineMs: () => number) {}

  create(slot: { id: number; class_id: number }, gymId: string, user: WellpassUser): Booking {
    const booking_number = `WP${String(this.nextNumber++).padStart(8, '0')}`;
    const now = Date.now();
    const booking: Booking = {
      booking_number,
      slot_id: slot.id,
      class_id: slot.class_id,
      gym_id: gymId,
      user: { unique_token: user.unique_token, name: user.name, email: user.email },
      status: 'PENDING',
      reason: null,
      reason_category: null,
      requested_at: new Date(now).toISOString(),
      decided_at: null,
    };
    const entry = { booking, requestedMs: now, expired: false };
    this.entries.set(booking_number, entry);
    this.pending.set(booking_number, entry);
    if (this.pending.size === 1) this.arm();
    return copy(booking);
  }

  get(bookingNumber: string): Booking | undefined {
    this.sweep();
    const entry = this.entries.get(bookingNumber);
    return entry && copy(entry.booking);
  }

  /** Like `get`, but a missing booking (or one of another gym than `gymId`) is a 404. */
  find(bookingNumber: string, gymId?: string): Booking {
    return copy(this.entry(bookingNumber, gymId).booking);
  }

  all(): Booking[] {
    this.sweep();
    return [...this.entries.values()].map((e) => copy(e.booking));
  }

  decide(gymId: string, bookingNumber: string, decision: Decision): Booking {
    const entry = this.entry(bookingNumber, gymId);
    const { booking } = entry;
    if (entry.expired) throw WellpassError.conflict('booking.expired', `booking ${bookingNumber} was rejected automatically: no answer within the deadline`);
    if (booking.status === decision.status) return copy(booking);
    if (booking.status === 'CANCELED' || booking.status === 'LATE_CANCELED') throw WellpassError.conflict('booking.canceled', `booking ${bookingNumber} was cancelled by the member`);
    if (!NEXT[booking.status].includes(decision.status)) throw WellpassError.conflict('booking.already_decided', `booking ${bookingNumber} is ${booking.status} already`);
    this.settle(booking, decision.status, decision.reason ?? null, decision.reason_category ?? null);
    return copy(booking);
  }

  /** The member cancels a booking that is still on (PENDING or RESERVED); `gymId`: only one of that gym. */
  cancelByMember(bookingNumber: string, late: boolean, gymId?: string): Booking {
    const entry = this.entry(bookingNumber, gymId);
    if (entry.booking.status !== 'PENDING' && entry.booking.status !== 'RESERVED') throw WellpassError.conflict('booking.not_active', `booking ${bookingNumber} is ${entry.booking.status}`);
    this.settle(entry.booking, late ? 'LATE_CANCELED' : 'CANCELED', null, null);
    return copy(entry.booking);
  }

  /** The slot was deleted: its bookings still on are cancelled as the gym's doing. */
  cancelSlot(slotId: number) {
    this.sweep();
    for (const { booking } of this.entries.values()) {
      if (booking.slot_id === slotId && (booking.status === 'PENDING' || booking.status === 'RESERVED')) {
        this.settle(booking, 'CANCELLED_BY_GYM', 'the slot was cancelled', 'CLASS_HAS_BEEN_CANCELED');
      }
    }
  }

  /** Rejects every request past its deadline and re-arms the timer for the next one. */
  sweep() {
    const deadline = this.deadlineMs();
    const now = Date.now();
    for (const entry of this.pending.values()) {
      if (entry.requestedMs + deadline > now) break;
      this.settle(entry.booking, 'REJECTED', 'no answer in time', 'TECHNICAL_ERROR', entry.requestedMs + deadline);
      entry.expired = true;
    }
    this.arm();
  }

  /** The timer for the earliest pending deadline (after a change of the deadline too). */
  arm() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const first = this.pending.values().next().value;
    if (!first) return;
    const due = first.requestedMs + this.deadlineMs() - Date.now();
    this.timer = setTimeout(() => this.sweep(), Math.max(0, due) + 1);
    this.timer.unref();
  }

  /** Forgets every booking (numbering starts again) and stops the timer. */
  clear() {
    this.entries.clear();
    this.pending.clear();
    this.nextNumber = 1;
    this.arm();
  }

  private settle(booking: Booking, status: BookingStatus, reason: string | null, category: ReasonCategory | null, at = Date.now()) {
    Object.assign(booking, { status, reason, reason_category: category, decided_at: new Date(at).toISOString() });
    if (status !== 'PENDING') this.pending.delete(booking.booking_number);
  }

  /** The booking, swept first; a booking of another gym than `gymId` is not found. */
  private entry(bookingNumber: string, gymId?: string): Entry {
    this.sweep();
    const entry = this.entries.get(bookingNumber);
    if (!entry || (gymId !== undefined && entry.booking.gym_id !== gymId)) throw WellpassError.notFound('booking', bookingNumber);
    return entry;
  }
}


function copy(booking: Booking): Booking {
  return { ...booking, user: { ...booking.user } };
}
