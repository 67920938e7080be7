import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type Booking, type Location } from './api';
import { formatDateTime } from './club-time';
import { t } from './i18n';
import { Messages } from './messages';
import { clubLocations, problemText } from './member-data';
import { memberCall } from './session';

function BookingCard({ booking, location, showLocation, busy, onCancel }: { booking: Booking; location: Location | undefined; showLocation: boolean; busy: boolean; onCancel?: () => void }) {
  const { session } = booking;
  return (
    <li class="card booking" aria-label={session.activityName}>
      <div class="when">{location ? formatDateTime(session.startsAt, location.timezone) : ''}</div>
      <h3>{session.activityName}</h3>
      {showLocation && location && <div class="muted">{location.name}</div>}
      <p class={`state ${booking.status}`}>{session.status === 'cancelled' ? t('sessionCancelled') : t(`status_${booking.status}`)}</p>
      {onCancel && (
        <button type="button" class="secondary" disabled={busy} onClick={onCancel}>
          {t('cancelBooking')}
        </button>
      )}
    </li>
  );
}

/** The member's bookings: those coming up (each can be cancelled), then the earlier and cancelled ones. */
export function Bookings() {
  const [bookings, setBookings] = useState<Booking[] | null>(null);
  const [locations, setLocations] = useState<Location[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const [answer, all] = await Promise.all([memberCall<{ items: Booking[] }>('GET', '/me/bookings'), clubLocations()]);
      setBookings(answer.items);
      setLocations(all);
      setProblem(null);
    } catch (err) {
      setProblem(problemText(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function cancel(booking: Booking) {
    setBusyId(booking.id);
    setNotice(null);
    try {
      await memberCall('DELETE', `/me/bookings/${booking.id}`);
      setNotice(t('didCancel', { name: booking.session.activityName }));
    } catch (err) {
      setNotice(err instanceof ApiError && err.status === 401 ? null : problemText(err));
    }
    await load();
    setBusyId(null);
  }

  const now = Date.now();
  const comingUp = (bookings ?? []).filter((b) => b.status === 'booked' && new Date(b.session.startsAt).getTime() > now).reverse();
  const earlier = (bookings ?? []).filter((b) => !comingUp.includes(b));
  const locationOf = (b: Booking) => locations?.find((l) => l.id === b.session.locationId);
  const showLocation = new Set((bookings ?? []).map((b) => b.session.locationId)).size > 1;
  const card = (b: Booking, cancellable: boolean) => (
    <BookingCard key={b.id} booking={b} location={locationOf(b)} showLocation={showLocation} busy={busyId === b.id} onCancel={cancellable ? () => void cancel(b) : undefined} />
  );

  return (
    <section class="bookings" aria-busy={!bookings}>
      <Messages problem={problem} notice={notice} onRetry={() => void load()} />
      {!bookings && !problem && <p class="muted">{t('loading')}</p>}
      {bookings && !bookings.length && <p class="muted">{t('noBookings')}</p>}
      {comingUp.length > 0 && (
        <>
          <h2>{t('upcoming')}</h2>
          <ul class="cards">{comingUp.map((b) => card(b, true))}</ul>
        </>
      )}
      {earlier.length > 0 && (
        <>
          <h2>{t('earlier')}</h2>
          <ul class="cards">{earlier.map((b) => card(b, false))}</ul>
        </>
      )}
    </section>
  );
}
