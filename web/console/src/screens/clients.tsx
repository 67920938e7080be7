import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Form } from '../form';
import { labelOf, useOptions } from '../options';
import { Link, type Route } from '../router';
import { ConfirmButton, ErrorNotice, formatTime, PagedList, Table, useLoad } from '../ui';

interface Client {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  memberNumber: string | null;
  status: 'active' | 'inactive';
  homeLocationId: number | null;
}

interface ClientDetail extends Client {
  identities: { id: number; identityTypeId: number; typeName: string; value: string; createdAt: string }[];
  identityChanges: { id: number; identityTypeId: number; oldValue: string | null; newValue: string | null; actor: string; changedAt: string }[];
  packages: { id: number; packageName: string | null; altId: string | null; source: string; startsAt: string | null; endsAt: string | null; status: string; pending: boolean }[];
  bookings: { id: number; status: string; source: string; session: { activityName: string; locationId: number; startsAt: string } }[];
  doorEvents: { id: number; doorId: number | null; locationId: number; occurredAt: string; source: string }[];
}

const fullName = (c: Client) => `${c.firstName} ${c.lastName}`;

/** Clients: searchable and paged, re-read every few seconds so clients a running sync creates appear. */
export function ClientsScreen({ route }: { route: Route }) {
  const [q, setQ] = useState(route.query.get('q') ?? '');
  // the list asks once typing pauses, not at every key
  const [search, setSearch] = useState(q);
  useEffect(() => {
    const timer = setTimeout(() => setSearch(q.trim()), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const [status, setStatus] = useState('');
  const locations = useOptions<{ id: number; name: string }>('/admin/locations', (l) => l.name);
  if (route.parts[1]) return <ClientPage id={Number(route.parts[1])} locations={locations} />;
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">Clients</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="client-search">Search clients</label>
          <input id="client-search" type="search" value={q} placeholder="Name, e-mail or member number" onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="client-status">Status</label>
          <select id="client-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </div>
      </form>
      <PagedList<Client>
        label="Clients"
        path="/admin/clients"
        params={{ q: search, status }}
        refreshMs={3000}
        empty="No clients match."
        columns={[
          { label: 'Name', render: (c) => <Link to={`clients/${c.id}`}>{fullName(c)}</Link> },
          { label: 'Member number', render: (c) => c.memberNumber ?? '—' },
          { label: 'E-mail', render: (c) => c.email ?? '—' },
          { label: 'Home location', render: (c) => labelOf(locations, c.homeLocationId) },
          { label: 'Status', render: (c) => c.status },
        ]}
      />
    </section>
  );
}

function ClientPage({ id, locations }: { id: number; locations: ReturnType<typeof useOptions> }) {
  const { data: client, error, reload } = useLoad(() => api<ClientDetail>('GET', `/admin/clients/${id}`), [id]);
  const identityTypes = useOptions<{ id: number; name: string }>('/admin/identity-types', (t) => t.name);
  if (!client) return error ? <ErrorNotice error={error} /> : <p aria-busy="true">Loading…</p>;
  return (
    <section aria-labelledby="screen-title" class="stack">
      <p>
        <Link to="clients">← Clients</Link>
      </p>
      <h1 id="screen-title">{fullName(client)}</h1>
      <dl class="facts">
        <dt>Member number</dt>
        <dd>{client.memberNumber ?? '—'}</dd>
        <dt>E-mail</dt>
        <dd>{client.email ?? '—'}</dd>
        <dt>Home location</dt>
        <dd>{labelOf(locations, client.homeLocationId)}</dd>
        <dt>Status</dt>
        <dd>{client.status}</dd>
      </dl>

      <h2>Identities</h2>
      <Table
        label="Identities"
        items={client.identities}
        columns={[
          { label: 'Type', render: (i) => i.typeName },
          { label: 'Value', render: (i) => <code>{i.value}</code> },
          { label: 'Since', render: (i) => formatTime(i.createdAt) },
        ]}
        actions={(i) => (
          <ConfirmButton
            label="Remove"
            question={`Remove ${i.typeName} ${i.value} from ${fullName(client)}?`}
            onConfirm={async () => {
              await api('DELETE', `/admin/clients/${id}/identities/${i.id}`);
              reload();
            }}
          />
        )}
      />
      <div class="subpanel">
        <h3>Add an identity</h3>
        <Form
          key={client.identities.length}
          fields={[
            { name: 'identityTypeId', label: 'Identity type', type: 'select', required: true, options: identityTypes },
            { name: 'value', label: 'Value', required: true },
          ]}
          submitLabel="Add identity"
          onSubmit={async (body) => {
            await api('POST', `/admin/clients/${id}/identities`, body);
            reload();
          }}
        />
      </div>
      <Table
        label="Identity history"
        caption="Identity history"
        items={client.identityChanges}
        columns={[
          { label: 'When', render: (c) => formatTime(c.changedAt) },
          { label: 'Type', render: (c) => labelOf(identityTypes, c.identityTypeId) },
          { label: 'From', render: (c) => c.oldValue ?? '—' },
          { label: 'To', render: (c) => c.newValue ?? '—' },
          { label: 'By', render: (c) => c.actor },
        ]}
      />

      <h2>Packages</h2>
      <Table
        label="Packages"
        items={client.packages}
        columns={[
          { label: 'Package', render: (p) => p.packageName ?? (p.pending ? `Waiting for a package with alt id ${p.altId}` : '—') },
          { label: 'Alt ID', render: (p) => p.altId ?? '—' },
          { label: 'Status', render: (p) => p.status },
          { label: 'From', render: (p) => formatTime(p.startsAt) },
          { label: 'Until', render: (p) => formatTime(p.endsAt) },
          { label: 'Source', render: (p) => p.source },
        ]}
      />

      <h2>Bookings</h2>
      <Table
        label="Bookings"
        items={client.bookings}
        columns={[
          { label: 'Class', render: (b) => b.session.activityName },
          { label: 'Starts', render: (b) => formatTime(b.session.startsAt) },
          { label: 'Location', render: (b) => labelOf(locations, b.session.locationId) },
          { label: 'Status', render: (b) => b.status },
          { label: 'Source', render: (b) => b.source },
        ]}
        actions={(b) =>
          b.status === 'booked' ? (
            <ConfirmButton
              label="Cancel booking"
              question={`Cancel ${fullName(client)}’s booking of ${b.session.activityName}?`}
              onConfirm={async () => {
                await api('DELETE', `/admin/bookings/${b.id}`);
                reload();
              }}
            />
          ) : null
        }
      />

      <h2>Door events</h2>
      <Table
        label="Door events"
        items={client.doorEvents}
        columns={[
          { label: 'When', render: (e) => formatTime(e.occurredAt) },
          { label: 'Location', render: (e) => labelOf(locations, e.locationId) },
          { label: 'Door', render: (e) => e.doorId ?? '—' },
          { label: 'Source', render: (e) => e.source },
        ]}
      />
    </section>
  );
}
