/**
 * The aggregator's side of a booking, as Wellhub's testing-host helpers play it: a member requests
 * a slot or cancels a booking, and the partner is told by webhook. The booking is answered at
 * once; `deliveries` resolves once the webhook's copies and retries are done.
 */
import type { Booking, Bookings } from './bookings.js';
import type { Catalog } from './catalog.js';
import type { BookingRequest } from './dto.js';
import { WellpassError } from './errors.js';
import type { Delivery, EventType, Webhooks } from './webhooks.js';

export interface Simulated {
  booking: Booking;
  deliveries: Promise<Delivery[]>;
}

export class Simulator {
  constructor(
    private readonly catalog: Catalog,
    private readonly bookings: Bookings,
    private readonly webhooks: Webhooks,
  ) {}

  /** A member books a live slot of a visible, bookable class that is active (full or not: the partner decides). */
  request(gymId: string, input: BookingRequest): Simulated {
    const { slot, available } = this.catalog.bookable(this.catalog.gym(gymId), input.slot_id);
    if (!available) throw WellpassError.conflict('slot.unavailable', `slot ${slot.id} is inactive, or its class is hidden or not bookable`);
    return this.notify('booking-requested', this.bookings.create(slot, gymId, input.user));
  }

  /** The member cancels (late: past the slot's cancellation window). */
  cancel(bookingNumber: string, late: boolean, gymId?: string): Simulated {
    return this.notify(late ? 'booking-late-canceled' : 'booking-canceled', this.bookings.cancelByMember(bookingNumber, late, gymId));
  }

  /** The member checks in for a reserved booking. */
  checkIn(bookingNumber: string, gymId?: string): Simulated {
    const booking = this.bookings.find(bookingNumber, gymId);
    if (booking.status !== 'RESERVED') throw WellpassError.conflict('booking.not_reserved', `booking ${bookingNumber} is ${booking.status}`);
    return this.notify('checkin-booking-occurred', booking);
  }

  private notify(type: EventType, booking: Booking): Simulated {
    const slot = { id: booking.slot_id, gym_id: booking.gym_id, class_id: booking.class_id, booking_number: booking.booking_number };
    return { booking, deliveries: this.webhooks.send(type, { user: booking.user, slot }) };
  }
}
