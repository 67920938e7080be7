import { api, ApiError, listAll } from '../api';
import { CrudScreen } from '../crud';
import { Form } from '../form';
import { Link, type Route } from '../router';
import { ConfirmButton, ErrorNotice, useLoad } from '../ui';
import { useIntegrationTypes, type Integration, type IntegrationType } from './integrations';

interface Location {
  id: number;
  name: string;
  timezone: string;
}

interface LocationLink {
  externalId: string;
}

/** What the guide calls each type's location link. */
const LINK_LABELS: Record<string, string> = { perfect_gym: 'Perfect Gym club number', egym_bma: 'EGYM location id' };

/** Services > Locations: the list, and each location's Integrations tab. */
export function LocationsScreen({ route }: { route: Route }) {
  if (route.parts[1]) return <LocationPage id={Number(route.parts[1])} />;
  return (
    <CrudScreen<Location>
      route={route}
      spec={{
        title: 'Locations',
        noun: 'location',
        path: '/admin/locations',
        nameOf: (l) => l.name,
        columns: [
          { label: 'Name', render: (l) => <Link to={`locations/${l.id}`}>{l.name}</Link> },
          { label: 'Time zone', render: (l) => l.timezone },
        ],
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'timezone', label: 'Time zone', required: true, hint: 'IANA name, e.g. Europe/Warsaw' },
        ],
        rowActions: (l) => (
          <Link to={`locations/${l.id}`} class="button" aria-label={`Integrations of ${l.name}`}>
            Integrations
          </Link>
        ),
      }}
    />
  );
}

function LocationPage({ id }: { id: number }) {
  const types = useIntegrationTypes();
  const location = useLoad(() => api<Location>('GET', `/admin/locations/${id}`), [id]);
  // As in the guide, only active integrations of a type that links locations get a field here.
  const integrations = useLoad(() => listAll<Integration>('/admin/integrations'), []);
  const linkable = (integrations.data ?? []).filter((i) => i.active && types.find((t) => t.type === i.type)?.locationLink);
  return (
    <section aria-labelledby="screen-title">
      <p>
        <Link to="locations">← Locations</Link>
      </p>
      <h1 id="screen-title">{location.data?.name ?? 'Location'}</h1>
      <ErrorNotice error={location.error ?? integrations.error} />
      <div class="tabs" role="tablist" aria-label="Location">
        <button type="button" role="tab" aria-selected>
          Integrations
        </button>
      </div>
      <div role="tabpanel" class="panel stack">
        {integrations.data && !linkable.length && <p class="hint">No active integration links locations yet: add one under Integrations.</p>}
        {linkable.map((integration) => (
          <LinkForm key={integration.id} locationId={id} integration={integration} type={types.find((t) => t.type === integration.type)!} />
        ))}
      </div>
    </section>
  );
}

/** One integration's link of this location: the remote id, saved with PUT (the remote side checks it), removed after asking. */
function LinkForm({ locationId, integration, type }: { locationId: number; integration: Integration; type: IntegrationType }) {
  const path = `/admin/integrations/${integration.id}/locations/${locationId}`;
  const link = useLoad(() => api<LocationLink>('GET', path).catch((err: ApiError) => (err.status === 404 ? null : Promise.reject(err))), [path]);
  const numeric = ['integer', 'number'].includes(String(type.locationLink!.externalIdSchema.type));
  const label = `${LINK_LABELS[type.type] ?? `${type.title} location id`} (${integration.name})`;
  return (
    <div class="subpanel">
      <h2>{type.title}: {integration.name}</h2>
      <ErrorNotice error={link.error} />
      <Form
        key={link.data?.externalId ?? 'none'}
        fields={[{ name: 'externalId', label, type: numeric ? 'number' : 'text', required: true }]}
        initial={link.data ?? {}}
        submitLabel="Save link"
        onSubmit={async (body) => {
          await api('PUT', path, body);
          link.reload();
        }}
      />
      {link.data && (
        <div class="actions">
          <span>
            Linked to <code>{link.data.externalId}</code>.
          </span>
          <ConfirmButton
            label="Unlink"
            question={`Unlink this location from ${integration.name}? Its members stop syncing from there.`}
            onConfirm={async () => {
              await api('DELETE', path);
              link.reload();
            }}
          />
        </div>
      )}
    </div>
  );
}
