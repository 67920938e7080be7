import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type ClassItem, type ClassList, type Location } from './api';
import { dayKey, daysBetween, formatDay, formatTime, isForeignZone } from './club-time';
import { t } from './i18n';
import { Messages } from './messages';
import { clubLocations, problemText } from './member-data';
import { memberCall, type Member } from './session';

type Action = 'book' | 'cancel' | 'join' | 'leave';

const CALLS: Record<Action, (item: ClassItem) => [method: string, path: string, body?: unknown]> = {
  book: (item) => ['POST', '/me/bookings', { sessionId: item.id }],
  cancel: (item) => ['DELETE', `/me/bookings/${item.bookingId}`],
  join: (item) => ['POST', '/me/waitlist', { sessionId: item.id }],
  leave: (item) => ['DELETE', `/me/waitlist/${item.waitlist.entryId}`],
};
const DONE = { book: 'didBook', cancel: 'didCancel', join: 'didJoin', leave: 'didLeave' } as const;

/** Why a class cannot be booked or waited for, in plain words; null when it can be. */
function whyNot(item: ClassItem): string | null {
  if (item.bookable || item.canJoinWaitlist || item.bookingId !== null || item.waitlist.position !== undefined) return null;
  if (item.reason !== 'full') return item.reason ? t(item.reason) : null;
  if (item.waitlistReason === 'waitlistFull') return `${t('full')} ${t(item.waitlist.capacity === 0 ? 'noWaitlist' : 'waitlistFull')}`;
  if (item.waitlistReason === 'waitlistClosed') return `${t('full')} ${t('waitlistClosed')}`;
  return t('full');
}

/** The one thing the member can do with a class now, if any. */
function actionOf(item: ClassItem, now: number): Action | null {
  if (item.bookingId !== null) return new Date(item.startsAt).getTime() > now ? 'cancel' : null;
  if (item.waitlist.entryId !== undefined) return 'leave';
  if (item.bookable) return 'book';
  if (item.canJoinWaitlist) return 'join';
  return null;
}

const BUTTON = { book: 'book', cancel: 'cancelBooking', join: 'joinWaitlist', leave: 'leaveWaitlist' } as const;

function ClassCard({ item, timeZone, busy, onAction }: { item: ClassItem; timeZone: string; busy: boolean; onAction: (action: Action) => void }) {
  const action = actionOf(item, Date.now());
  const reason = whyNot(item);
  return (
    <li class="card class" aria-label={item.activityName}>
      <div class="when">
        {formatTime(item.startsAt, timeZone)}–{formatTime(item.endsAt, timeZone)}
      </div>
      <h3>{item.activityName}</h3>
      {item.instructor && <div class="muted">{item.instructor}</div>}
      <div class="seats">
        {item.seatsLeft > 0 ? t('placesFree', { free: item.seatsLeft, capacity: item.capacity }) : t('noPlacesFree')}
        {item.waitlist.count > 0 && ` · ${t('waiting', { count: item.waitlist.count })}`}
      </div>
      {item.bookingId !== null && <p class="state booked">{t('booked')}</p>}
      {item.waitlist.position !== undefined && <p class="state waiting">{t('waitlistPosition', { position: item.waitlist.position })}</p>}
      {reason && <p class="state reason">{reason}</p>}
      {action && (
        <button type="button" class={action === 'book' || action === 'join' ? 'primary' : 'secondary'} disabled={busy} onClick={() => onAction(action)}>
          {t(BUTTON[action])}
        </button>
      )}
    </li>
  );
}

/** Classes at a location by day: the home location first, others to pick; book, cancel, wait. */
export function Classes({ member }: { member: Member }) {
  const [locations, setLocations] = useState<Location[] | null>(null);
  const [locationId, setLocationId] = useState<number | null>(member.homeLocationId);
  const [list, setList] = useState<ClassList | null>(null);
  const [day, setDay] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);

  // The club's locations (asked once per page) and the chosen one's classes, in parallel: one round trip.
  const load = useCallback(async () => {
    try {
      const [all, classes] = await Promise.all([clubLocations(), locationId === null ? null : memberCall<ClassList>('GET', `/me/classes?locationId=${locationId}`)]);
      setLocations(all);
      setList(classes);
      setProblem(null);
      // a member without a home location at a one-location club: that location
      if (locationId === null && all.length === 1) setLocationId(all[0]!.id);
    } catch (err) {
      setProblem(problemText(err));
    }
  }, [locationId]);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(item: ClassItem, action: Action) {
    setBusyId(item.id);
    setNotice(null);
    try {
      const [method, path, body] = CALLS[action](item);
      await memberCall(method, path, body);
      setNotice(t(DONE[action], { name: item.activityName }));
    } catch (err) {
      setNotice(err instanceof ApiError && err.status === 401 ? null : problemText(err));
    }
    await load();
    setBusyId(null);
  }

  const location = locations?.find((l) => l.id === (list?.locationId ?? locationId));
  const timeZone = location?.timezone;
  const days = list && timeZone ? daysBetween(list.from, list.to, timeZone) : [];
  const byDay = new Map<string, ClassItem[]>();
  for (const item of list && timeZone ? list.items : []) {
    const key = dayKey(item.startsAt, timeZone!);
    const group = byDay.get(key);
    if (group) group.push(item);
    else byDay.set(key, [item]);
  }
  const shownDay = day && days.includes(day) ? day : (days.find((d) => byDay.has(d)) ?? days[0]);
  const today = timeZone ? dayKey(new Date(), timeZone) : null;

  return (
    <section class="classes" aria-busy={!list || !timeZone}>
      {locations && locations.length > 1 && (
        <label class="location">
          {t('location')}
          <select
            value={locationId ?? ''}
            onChange={(e) => {
              setLocationId(Number(e.currentTarget.value));
              setList(null);
              setDay(null);
            }}
          >
            {locationId === null && <option value="">—</option>}
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {locationId === null && <p class="notice">{t('pickLocation')}</p>}
      <Messages problem={problem} notice={notice} onRetry={() => void load()} />
      {locationId !== null && (!list || !timeZone) && !problem && <p class="muted">{t('loading')}</p>}
      {timeZone && shownDay && (
        <>
          <nav class="days" aria-label={location?.name}>
            {days.map((d) => (
              <button type="button" key={d} aria-pressed={d === shownDay} class={byDay.has(d) ? '' : 'empty'} onClick={() => setDay(d)}>
                {d === today ? t('today') : formatDay(d)}
              </button>
            ))}
          </nav>
          {isForeignZone(timeZone) && <p class="muted zone">{t('timesIn', { zone: timeZone })}</p>}
          {byDay.has(shownDay) ? (
            <ul class="cards" aria-label={formatDay(shownDay)}>
              {byDay.get(shownDay)!.map((item) => (
                <ClassCard key={item.id} item={item} timeZone={timeZone} busy={busyId === item.id} onAction={(action) => void act(item, action)} />
              ))}
            </ul>
          ) : (
            <p class="muted">{t('noClasses')}</p>
          )}
        </>
      )}
    </section>
  );
}
