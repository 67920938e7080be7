import { useState } from 'preact/hooks';
import { api } from '../api';
import { Link } from '../router';
import { ErrorNotice, formatTime, PagedList, Table, useLoad } from '../ui';

interface Issue {
  kind: string;
  key: string;
  count: number;
  detail: string;
  altId?: string;
  /** Recorded issues of types that let staff dismiss them once handled. */
  dismissible?: boolean;
}

interface CatalogEntry {
  id: number;
  name: string;
  altId: string;
  package: { id: number; name: string } | null;
  pendingAssignments: number;
}

interface WellpassRequest {
  id: number;
  bookingNumber: string;
  uniqueToken: string;
  memberName: string | null;
  memberEmail: string | null;
  clientId: number | null;
  sessionId: number | null;
  activityName: string | null;
  startsAt: string | null;
  status: string;
  reasonCategory: string | null;
  decisionSentAt: string | null;
  sendError: string | null;
  createdAt: string;
}

/** Where "create package for this" leads: the package form filled with the alt id (and the plan's name). */
const newPackage = (altId: string, name = altId) => `packages?new=1&altId=${encodeURIComponent(altId)}&name=${encodeURIComponent(name)}`;

/** What a sync could not apply: missing packages grouped with counts (each a link to create it), locations without a door, the rest. */
export function IssuesTab({ integrationId }: { integrationId: number }) {
  const { data, error, reload } = useLoad(() => api<{ items: Issue[] }>('GET', `/admin/integrations/${integrationId}/issues`), [integrationId]);
  const missing = data?.items.filter((i) => i.kind === 'missingPackage') ?? [];
  const doorless = data?.items.filter((i) => i.kind === 'noDoor') ?? [];
  const other = data?.items.filter((i) => i.kind !== 'missingPackage' && i.kind !== 'noDoor') ?? [];
  const [dismissError, setDismissError] = useState<string | null>(null);
  const dismiss = async (i: Issue) => {
    try {
      setDismissError(null);
      await api('POST', `/admin/integrations/${integrationId}/dismiss-issue`, { kind: i.kind, key: i.key });
      reload();
    } catch (err) {
      setDismissError((err as Error).message);
    }
  };
  return (
    <div class="stack">
      <ErrorNotice error={error} />
      <ErrorNotice error={dismissError} />
      <div class="actions">
        <button type="button" onClick={reload}>
          Refresh issues
        </button>
      </div>
      {data && !data.items.length && (
        <p class="notice ok" role="status">
          No open issues.
        </p>
      )}
      {missing.length > 0 && (
        <Table<Issue & { id: string }>
          label="Missing packages"
          caption="Missing packages: client packages wait for a package with this alt id"
          items={missing.map((i) => ({ ...i, id: i.key }))}
          columns={[
            { label: 'Alt ID', render: (i) => <code>{i.altId ?? i.key}</code> },
            { label: 'Waiting', render: (i) => i.count },
            { label: 'Fix', render: (i) => <Link to={newPackage(i.altId ?? i.key)}>Create package for {i.altId ?? i.key}</Link> },
          ]}
        />
      )}
      {doorless.length > 0 && (
        <ul aria-label="Locations without an entrance door">
          {doorless.map((i) => (
            <li key={i.key}>
              {i.detail} <Link to={`doors?new=1&type=entrance&locationId=${i.key.replace('location:', '')}`}>Create door</Link>
            </li>
          ))}
        </ul>
      )}
      {other.length > 0 && (
        <ul aria-label="Other issues">
          {other.map((i) => (
            <li key={`${i.kind}-${i.key}`}>
              <strong>{i.kind}</strong> ({i.count}): {i.detail}{' '}
              {i.dismissible && (
                <button type="button" onClick={() => dismiss(i)}>
                  Dismiss
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Perfect Gym's payment plans and products with their alt ids and mapped packages: the guide's Retool page. */
export function CatalogTab({ integrationId }: { integrationId: number }) {
  const { data, error } = useLoad(() => api<{ paymentPlans: CatalogEntry[]; products: CatalogEntry[] }>('GET', `/admin/integrations/${integrationId}/catalog`), [integrationId]);
  if (!data) return error ? <ErrorNotice error={error} /> : <p aria-busy="true">Reading Perfect Gym’s catalog…</p>;
  return (
    <div class="stack">
      <CatalogTable label="Payment plans" entries={data.paymentPlans} />
      <CatalogTable label="Products" entries={data.products} />
    </div>
  );
}

function CatalogTable({ label, entries }: { label: string; entries: CatalogEntry[] }) {
  return (
    <Table<CatalogEntry>
      label={label}
      caption={label}
      items={entries}
      columns={[
        { label: 'Id', render: (e) => e.id },
        { label: 'Name', render: (e) => e.name },
        { label: 'Alt ID', render: (e) => <code>{e.altId}</code> },
        { label: 'Package', render: (e) => (e.package ? <Link to="packages">{e.package.name}</Link> : <Link to={newPackage(e.altId, e.name)}>Create package for {e.name}</Link>) },
        { label: 'Waiting', render: (e) => e.pendingAssignments },
      ]}
      empty="None in Perfect Gym."
    />
  );
}

/** What Wellpass members asked for, newest first: who, which class, clubcore's decision, and whether Wellpass has it. */
export function WellpassRequestsTab({ integrationId }: { integrationId: number }) {
  return (
    <PagedList<WellpassRequest>
      label="Wellpass requests"
      path={`/admin/integrations/${integrationId}/requests`}
      empty="No booking requests from Wellpass yet."
      columns={[
        { label: 'Received', render: (r) => formatTime(r.createdAt) },
        { label: 'Booking number', render: (r) => <code>{r.bookingNumber}</code> },
        {
          label: 'Member',
          render: (r) => {
            const who = [r.memberName, r.memberEmail && `<${r.memberEmail}>`].filter(Boolean).join(' ') || r.uniqueToken;
            return r.clientId === null ? who : <Link to={`clients/${r.clientId}`}>{who}</Link>;
          },
        },
        { label: 'Class', render: (r) => (r.activityName ? `${r.activityName}, ${formatTime(r.startsAt)}` : '—') },
        { label: 'Decision', render: (r) => <span class={`badge ${r.status}`}>{r.reasonCategory ? `${r.status}: ${r.reasonCategory}` : r.status}</span> },
        { label: 'Wellpass has it', render: (r) => (r.decisionSentAt ? formatTime(r.decisionSentAt) : r.sendError ? `Not yet: ${r.sendError}` : 'Not yet') },
      ]}
    />
  );
}
