import { useState } from 'preact/hooks';
import { api, listPath, type Page } from '../api';
import { CrudScreen } from '../crud';
import { labelOf, useOptions } from '../options';
import { Link, type Route } from '../router';
import { ConfirmButton, ErrorNotice, formatTime, PagedList, Table, useLoad } from '../ui';

interface Activity {
  id: number;
  name: string;
  aggregatorBookings: { enabled: boolean; seatCap: number | null };
}

interface Session {
  id: number;
  activityId: number;
  activityName: string;
  locationId: number;
  startsAt: string;
  endsAt: string;
  capacity: number;
  bookedCount: number;
  waitlistCapacity: number;
  waitlistCount: number;
  instructor: string | null;
  status: 'scheduled' | 'cancelled';
}

interface RosterEntry {
  id: number;
  clientId: number;
  status: string;
  source: string;
  attendedAt: string | null;
  client: { firstName: string; lastName: string; memberNumber: string | null };
}

/** Activities: what classes are of, and whether aggregators (EGYM Wellpass) may book seats of them. */
export function ActivitiesScreen({ route }: { route: Route }) {
  return (
    <CrudScreen<Activity>
      route={route}
      spec={{
        title: 'Activities',
        noun: 'activity',
        path: '/admin/activities',
        nameOf: (a) => a.name,
        columns: [
          { label: 'Name', render: (a) => a.name },
          {
            label: 'Aggregator bookings',
            render: (a) => (a.aggregatorBookings.enabled ? (a.aggregatorBookings.seatCap === null ? 'Every free seat' : `Up to ${a.aggregatorBookings.seatCap} seats`) : 'Off'),
          },
        ],
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'aggregatorBookings.enabled', label: 'Aggregators may book', type: 'checkbox' },
          { name: 'aggregatorBookings.seatCap', label: 'Aggregator seat cap', type: 'number', empty: 'null', hint: 'Empty: every free seat; 0: none' },
        ],
      }}
    />
  );
}

/** Classes: sessions (create, edit, cancel) and each one's roster. */
export function ClassesScreen({ route }: { route: Route }) {
  const activities = useOptions<Activity>('/admin/activities', (a) => a.name);
  const locations = useOptions<{ id: number; name: string }>('/admin/locations', (l) => l.name);
  if (route.parts[1]) return <SessionPage id={Number(route.parts[1])} locations={locations} />;
  return (
    <CrudScreen<Session>
      route={route}
      spec={{
        title: 'Classes',
        noun: 'class',
        path: '/admin/sessions',
        defaults: { capacity: 12, waitlistCapacity: 0 },
        nameOf: (s) => `${s.activityName} ${formatTime(s.startsAt)}`,
        columns: [
          { label: 'Class', render: (s) => <Link to={`classes/${s.id}`}>{s.activityName}</Link> },
          { label: 'Starts', render: (s) => formatTime(s.startsAt) },
          { label: 'Location', render: (s) => labelOf(locations, s.locationId) },
          { label: 'Booked', render: (s) => `${s.bookedCount} / ${s.capacity}` },
          { label: 'Waitlist', render: (s) => (s.waitlistCapacity ? `${s.waitlistCount} / ${s.waitlistCapacity}` : '—') },
          { label: 'Status', render: (s) => s.status },
        ],
        fields: [
          { name: 'activityId', label: 'Activity', type: 'select', required: true, options: activities },
          { name: 'locationId', label: 'Location', type: 'select', required: true, options: locations },
          { name: 'startsAt', label: 'Starts', type: 'datetime', required: true, hint: 'Your browser’s time zone' },
          { name: 'endsAt', label: 'Ends', type: 'datetime', required: true },
          { name: 'capacity', label: 'Places', type: 'number', required: true },
          { name: 'waitlistCapacity', label: 'Waitlist places', type: 'number', hint: '0: no waitlist' },
          { name: 'instructor', label: 'Instructor', empty: 'null' },
        ],
        rowActions: (s, reload) =>
          s.status === 'scheduled' ? (
            <ConfirmButton
              label="Cancel class"
              question={`Cancel ${s.activityName} on ${formatTime(s.startsAt)}? Everyone booked loses their place.`}
              onConfirm={async () => {
                await api('PATCH', `/admin/sessions/${s.id}`, { status: 'cancelled' });
                reload();
              }}
            />
          ) : null,
      }}
    />
  );
}

/** A class's roster (booked, attended, no-show, cancelled) and waitlist; staff book a member in or cancel for them. */
function SessionPage({ id, locations }: { id: number; locations: ReturnType<typeof useOptions> }) {
  const session = useLoad(() => api<Session & { waitlist: { id: number; clientId: number; firstName: string; lastName: string; position: number }[] }>('GET', `/admin/sessions/${id}`), [id]);
  const [rosterKey, setRosterKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    setNotice(message);
    setRosterKey((k) => k + 1);
    session.reload();
  };
  const s = session.data;
  if (!s) return session.error ? <ErrorNotice error={session.error} /> : <p aria-busy="true">Loading…</p>;
  return (
    <section aria-labelledby="screen-title" class="stack">
      <p>
        <Link to="classes">← Classes</Link>
      </p>
      <h1 id="screen-title">
        {s.activityName}, {formatTime(s.startsAt)}
      </h1>
      <dl class="facts">
        <dt>Location</dt>
        <dd>{labelOf(locations, s.locationId)}</dd>
        <dt>Booked</dt>
        <dd>
          {s.bookedCount} / {s.capacity}
        </dd>
        <dt>Instructor</dt>
        <dd>{s.instructor ?? '—'}</dd>
        <dt>Status</dt>
        <dd>{s.status}</dd>
      </dl>
      {notice && (
        <p class="notice ok" role="status">
          {notice}
        </p>
      )}
      <BookMember sessionId={id} onBooked={(name) => changed(`Booked ${name}.`)} />
      <h2>Roster</h2>
      <PagedList<RosterEntry>
        label="Roster"
        path={`/admin/sessions/${id}/bookings`}
        reloadKey={rosterKey}
        empty="Nobody has booked yet."
        columns={[
          { label: 'Member', render: (b) => <Link to={`clients/${b.clientId}`}>{`${b.client.firstName} ${b.client.lastName}`}</Link> },
          { label: 'Status', render: (b) => b.status.replace('_', '-') },
          { label: 'Source', render: (b) => b.source },
          { label: 'Attended', render: (b) => formatTime(b.attendedAt) },
        ]}
        actions={(b) =>
          b.status === 'booked' ? (
            <ConfirmButton
              label="Cancel booking"
              question={`Cancel ${b.client.firstName} ${b.client.lastName}’s booking?`}
              onConfirm={async () => {
                await api('DELETE', `/admin/bookings/${b.id}`);
                changed(`Cancelled ${b.client.firstName} ${b.client.lastName}’s booking.`);
              }}
            />
          ) : null
        }
      />
      <h2>Waitlist</h2>
      <Table
        label="Waitlist"
        items={s.waitlist}
        columns={[
          { label: 'Position', render: (w) => w.position },
          { label: 'Member', render: (w) => <Link to={`clients/${w.clientId}`}>{`${w.firstName} ${w.lastName}`}</Link> },
        ]}
        empty="Nobody is waiting."
      />
    </section>
  );
}

interface ClientMatch {
  id: number;
  firstName: string;
  lastName: string;
  memberNumber: string | null;
  email: string | null;
}

/** Staff booking at the desk: find the member by name, e-mail or member number, then book them (the member's own rules apply). */
function BookMember({ sessionId, onBooked }: { sessionId: number; onBooked(name: string): void }) {
  const [q, setQ] = useState('');
  const [error, setError] = useState<string | null>(null);
  const matches = useLoad(() => (q.trim().length < 2 ? Promise.resolve(null) : api<Page<ClientMatch>>('GET', listPath('/admin/clients', { q: q.trim(), status: 'active', limit: 5 }))), [q]);
  const book = async (c: ClientMatch) => {
    setError(null);
    try {
      await api('POST', '/admin/bookings', { sessionId, clientId: c.id });
      setQ('');
      onBooked(`${c.firstName} ${c.lastName}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div class="subpanel">
      <h2>Book a member</h2>
      <div class="field">
        <label for="book-member">Find a member</label>
        <input id="book-member" type="search" value={q} placeholder="Name, e-mail or member number" onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      <ErrorNotice error={error ?? matches.error} />
      {matches.data && (
        <ul class="matches" aria-label="Members found">
          {matches.data.items.map((c) => (
            <li key={c.id}>
              <span>
                {c.firstName} {c.lastName} {c.memberNumber && <span class="hint">({c.memberNumber})</span>}
              </span>
              <button type="button" class="primary" onClick={() => void book(c)}>
                Book {c.firstName} {c.lastName}
              </button>
            </li>
          ))}
          {!matches.data.items.length && <li class="hint">No active member matches.</li>}
        </ul>
      )}
    </div>
  );
}
