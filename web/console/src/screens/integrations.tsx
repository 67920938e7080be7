import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { Form, type Body } from '../form';
import { useOptions } from '../options';
import { Link, type Route } from '../router';
import { defaultsFromSchema, fieldsFromSchema, humanize, type JsonSchema } from '../schema-fields';
import type { Staff } from '../session';
import { ConfirmButton, ErrorNotice, formatTime, PagedList, Tabs, useLoad } from '../ui';
import { CatalogTab, IssuesTab, WellpassRequestsTab } from './integration-data';
import { MemberSync, RunProgress, runSummary, type SyncRun } from './runs';

export interface IntegrationType {
  type: string;
  title: string;
  configSchema: JsonSchema;
  secretsSchema: JsonSchema;
  locationLink: { externalIdSchema: JsonSchema } | null;
  jobs: { kind: string; manual: boolean }[];
}

export interface Integration {
  id: number;
  type: string;
  name: string;
  active: boolean;
  config: Record<string, unknown>;
  secrets: Record<string, 'set'> | 'unreadable';
  credentialsStatus: 'unknown' | 'ok' | 'failing';
  credentialsDetail: string | null;
  webhookUrl?: string;
  publicApiUrl?: string;
  /** Ids the remote system's support asks for (Wellpass: the company UUID). */
  sharedIds?: { label: string; value: string; hint?: string }[];
  /** When the next scheduled run is due; null when nothing is scheduled. */
  nextRunAt: string | null;
}

/** Every registered type with its schemas (GET /admin/integration-types), read once per page. */
export function useIntegrationTypes(): IntegrationType[] {
  return useLoad(() => api<Page<IntegrationType>>('GET', '/admin/integration-types').then((p) => p.items), []).data ?? [];
}

const STATUS_TEXT = { ok: 'Credentials OK', failing: 'Credentials failing', unknown: 'Not tested yet' };

function CredentialsStatus({ integration }: { integration: Integration }) {
  return (
    <span class={`badge ${integration.credentialsStatus}`} title={integration.credentialsDetail ?? undefined}>
      {STATUS_TEXT[integration.credentialsStatus]}
      {integration.credentialsDetail && <span class="visually-hidden">: {integration.credentialsDetail}</span>}
    </span>
  );
}

function LastRun({ integrationId }: { integrationId: number }) {
  const { data } = useLoad(() => api<Page<SyncRun>>('GET', `/admin/integrations/${integrationId}/runs?limit=1`), [integrationId]);
  const run = data?.items[0];
  return run ? <span>{`${run.kind} ${run.status}, ${formatTime(run.finishedAt ?? run.startedAt ?? run.createdAt)}`}</span> : <span>No runs yet</span>;
}

/** A schedule the config declares ({enabled, everyMinutes}), in words: what the next runs will be. */
/** The config's schedules, whichever shape the type uses: {enabled, everyMinutes} objects or <job>EveryMinutes numbers. */
function schedules(config: Record<string, unknown>): string {
  const parts = Object.entries(config).flatMap(([key, v]) => {
    if (typeof v === 'number' && key.endsWith('EveryMinutes')) return [`${humanize(key.slice(0, -'EveryMinutes'.length))} every ${v} min`];
    if (typeof v !== 'object' || v === null || !('everyMinutes' in v)) return [];
    const s = v as { enabled?: boolean; everyMinutes: number };
    return [s.enabled === false ? `${humanize(key)} off` : `${humanize(key)} every ${s.everyMinutes} min`];
  });
  return parts.join(', ') || '—';
}

/** Settings > Integrations: the list, the create/edit form generated from the type's schemas, and each integration's page. */
export function IntegrationsScreen({ route, staff }: { route: Route; staff: Staff }) {
  const types = useIntegrationTypes();
  const [editing, setEditing] = useState<Integration | 'new' | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const isAdmin = staff.role === 'admin';
  if (route.parts[1]) return <IntegrationPage id={Number(route.parts[1])} types={types} staff={staff} route={route} />;
  const titleOf = (type: string) => types.find((t) => t.type === type)?.title ?? type;
  const saved = (integration: Integration, verb: string) => {
    setEditing(null);
    setNotice(`${verb} integration ${integration.name}.`);
    setReloadKey((k) => k + 1);
  };
  return (
    <section aria-labelledby="screen-title">
      <div class="screen-head">
        <h1 id="screen-title">Integrations</h1>
        {isAdmin && !editing && (
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            Add integration
          </button>
        )}
      </div>
      {notice && (
        <p class="notice ok" role="status">
          {notice}
        </p>
      )}
      {editing && (
        <div class="panel">
          <IntegrationForm types={types} integration={editing === 'new' ? null : editing} onSaved={saved} onCancel={() => setEditing(null)} />
        </div>
      )}
      <PagedList<Integration>
        label="Integrations"
        path="/admin/integrations"
        reloadKey={reloadKey}
        columns={[
          { label: 'Name', render: (i) => <Link to={`integrations/${i.id}`}>{i.name}</Link> },
          { label: 'Type', render: (i) => titleOf(i.type) },
          { label: 'Active', render: (i) => (i.active ? 'Yes' : 'No') },
          { label: 'Status', render: (i) => <CredentialsStatus integration={i} /> },
          { label: 'Last run', render: (i) => <LastRun integrationId={i.id} /> },
          { label: 'Schedule', render: (i) => schedules(i.config) },
          { label: 'Next run', render: (i) => formatTime(i.nextRunAt) },
        ]}
        actions={(i) => (
          <>
            <Link to={`integrations/${i.id}`} class="button">
              Open
            </Link>
            {isAdmin && (
              <>
                <button type="button" onClick={() => setEditing(i)} aria-label={`Edit ${i.name}`}>
                  Edit
                </button>
                <ConfirmButton
                  label="Delete"
                  question={`Delete integration ${i.name}? Its runs and issues go with it; clients and packages it synced stay.`}
                  onConfirm={async () => {
                    await api('DELETE', `/admin/integrations/${i.id}`);
                    setNotice(`Deleted integration ${i.name}.`);
                    setReloadKey((k) => k + 1);
                  }}
                />
              </>
            )}
          </>
        )}
      />
    </section>
  );
}

/** Create (pick a type) or edit: name, active, then the type's config and write-only secrets, field by field. */
function IntegrationForm(props: { types: IntegrationType[]; integration: Integration | null; onSaved(i: Integration, verb: string): void; onCancel(): void }) {
  const { integration } = props;
  const [type, setType] = useState(integration?.type ?? '');
  const identityTypes = useOptions<{ id: number; name: string }>('/admin/identity-types', (t) => t.name);
  const definition = props.types.find((t) => t.type === type);
  const editing = integration !== null;
  const fields = definition
    ? [
        { name: 'name', label: 'Name', required: true },
        { name: 'active', label: 'Active', type: 'checkbox' as const },
        ...fieldsFromSchema(definition.configSchema, 'config', { identityTypes, editing }),
        // secrets start empty: the API shows only that they are set, and an empty one keeps the stored value
        ...fieldsFromSchema(definition.secretsSchema, 'secrets', { identityTypes, secret: true, editing }),
      ]
    : [];
  const submit = async (body: Body) => {
    if (editing) props.onSaved(await api<Integration>('PATCH', `/admin/integrations/${integration.id}`, body), 'Saved');
    else props.onSaved(await api<Integration>('POST', '/admin/integrations', { ...body, type }), 'Created');
  };
  return (
    <>
      <h2>{editing ? `Edit integration ${integration.name}` : 'New integration'}</h2>
      {!editing && (
        <div class="field">
          <label for="integration-type">Integration type</label>
          <select id="integration-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {props.types.map((t) => (
              <option key={t.type} value={t.type}>
                {t.title}
              </option>
            ))}
          </select>
        </div>
      )}
      {definition && (
        // keyed by type alone: options arriving later must not remount the form and drop what was typed
        <Form
          key={type}
          fields={fields}
          initial={integration ? { ...integration, secrets: {} } : { active: true, config: defaultsFromSchema(definition.configSchema) }}
          submitLabel={editing ? 'Save' : 'Add'}
          onSubmit={submit}
          onCancel={props.onCancel}
        />
      )}
      {!definition && (
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </>
  );
}

type Tab = 'overview' | 'sync' | 'runs' | 'issues' | 'catalog' | 'requests';

/** One integration: test, webhook URL, member sync with live progress, history, issues, catalog. */
function IntegrationPage({ id, types, staff, route }: { id: number; types: IntegrationType[]; staff: Staff; route: Route }) {
  const { data: integration, error, reload } = useLoad(() => api<Integration>('GET', `/admin/integrations/${id}`), [id]);
  const [tab, setTab] = useState<Tab>((route.query.get('tab') as Tab | null) ?? 'overview');
  if (error) return <ErrorNotice error={error} />;
  if (!integration) return <p aria-busy="true">Loading…</p>;
  const definition = types.find((t) => t.type === integration.type);
  const tabs: [Tab, string][] = [['overview', 'Overview']];
  if (definition?.jobs.some((j) => j.kind === 'initial')) tabs.push(['sync', 'Perform Member Sync']);
  tabs.push(['runs', 'Sync history'], ['issues', 'Issues']);
  if (integration.type === 'perfect_gym') tabs.push(['catalog', 'Catalog']);
  if (integration.type === 'wellpass') tabs.push(['requests', 'Requests']);
  return (
    <section aria-labelledby="screen-title">
      <p>
        <Link to="integrations">← Integrations</Link>
      </p>
      <div class="screen-head">
        <h1 id="screen-title">{integration.name}</h1>
        <span>{definition?.title ?? integration.type}</span>
        <CredentialsStatus integration={integration} />
      </div>
      <Tabs<Tab> label="Integration" tabs={tabs} current={tab} onSelect={setTab} />
      <div role="tabpanel" class="panel">
        {tab === 'overview' && <Overview integration={integration} definition={definition} staff={staff} onChanged={reload} />}
        {tab === 'sync' && <MemberSync integrationId={id} />}
        {tab === 'runs' && (
          <PagedList<SyncRun>
            label="Sync history"
            path={`/admin/integrations/${id}/runs`}
            columns={[
              { label: 'Run', render: (r) => r.id },
              { label: 'Job', render: (r) => `${r.kind} (${r.scope})` },
              { label: 'Trigger', render: (r) => r.trigger },
              { label: 'Status', render: (r) => <span class={`badge ${r.status}`}>{r.status}</span> },
              { label: 'Counters', render: (r) => runSummary(r) },
              { label: 'Started', render: (r) => formatTime(r.startedAt) },
              { label: 'Duration', render: (r) => (r.startedAt && r.finishedAt ? `${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : '—') },
              { label: 'Error', render: (r) => r.error ?? '—' },
            ]}
          />
        )}
        {tab === 'issues' && <IssuesTab integrationId={id} />}
        {tab === 'catalog' && <CatalogTab integrationId={id} />}
        {tab === 'requests' && <WellpassRequestsTab integrationId={id} />}
      </div>
    </section>
  );
}

function Overview({ integration, definition, staff, onChanged }: { integration: Integration; definition?: IntegrationType; staff: Staff; onChanged(): void }) {
  const [test, setTest] = useState<{ ok: boolean; detail: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const [runId, setRunId] = useState<number | null>(null);
  const [jobError, setJobError] = useState<string | null>(null);
  const runTest = async () => {
    setTesting(true);
    try {
      setTest(await api('POST', `/admin/integrations/${integration.id}/test`));
      onChanged();
    } catch (err) {
      setTest({ ok: false, detail: (err as Error).message });
    } finally {
      setTesting(false);
    }
  };
  const startJob = async (job: string) => {
    try {
      setJobError(null);
      setRunId((await api<{ run: SyncRun }>('POST', `/admin/integrations/${integration.id}/sync`, { job })).run.id);
    } catch (err) {
      setJobError((err as Error).message);
    }
  };
  const [editing, setEditing] = useState(false);
  if (editing && definition) {
    return <IntegrationForm types={[definition]} integration={integration} onSaved={() => (setEditing(false), onChanged())} onCancel={() => setEditing(false)} />;
  }
  return (
    <div class="stack">
      <div class="actions">
        <button type="button" class="primary" onClick={runTest} disabled={testing}>
          Test connection
        </button>
        {staff.role === 'admin' && !editing && (
          <button type="button" onClick={() => (setTest(null), setEditing(true))}>
            Edit options
          </button>
        )}
      </div>
      {test && (
        <p class={`notice ${test.ok ? 'ok' : 'error'}`} role={test.ok ? 'status' : 'alert'}>
          {test.ok ? 'Connection OK: ' : 'Connection failed: '}
          {test.detail}
        </p>
      )}
      {/* Without PUBLIC_BASE_URL the server knows only the path; the console's own origin is the one the remote system must call. */}
      {integration.webhookUrl && <CopyField label="Webhook URL" value={new URL(integration.webhookUrl, location.origin).href} hint="Paste it into the remote system’s webhook settings" />}
      {integration.publicApiUrl && <CopyField label="Public API URL" value={integration.publicApiUrl} />}
      {integration.sharedIds?.map((id) => <CopyField key={id.label} label={id.label} value={id.value} hint={id.hint} />)}
      <dl class="facts">
        <dt>Active</dt>
        <dd>{integration.active ? 'Yes' : 'No'}</dd>
        <dt>Schedule</dt>
        <dd>{schedules(integration.config)}</dd>
        <dt>Next run</dt>
        <dd>{formatTime(integration.nextRunAt)}</dd>
        <dt>Secrets</dt>
        <dd>{integration.secrets === 'unreadable' ? 'Unreadable with this SECRETS_KEY: enter them again' : Object.keys(integration.secrets).map((k) => `${k}: set`).join(', ') || '—'}</dd>
      </dl>
      {definition && definition.jobs.some((j) => j.manual) && (
        <div class="actions">
          {definition.jobs
            .filter((j) => j.manual)
            .map((j) => (
              <button key={j.kind} type="button" onClick={() => startJob(j.kind)}>
                Run {j.kind} sync now
              </button>
            ))}
        </div>
      )}
      <ErrorNotice error={jobError} />
      {runId !== null && <RunProgress runId={runId} />}
    </div>
  );
}

/** A read-only value to paste elsewhere, with a Copy button (the field is selected when the clipboard is not available). */
function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const [copied, setCopied] = useState(false);
  const id = `copy-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="copy">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {hint && <small class="hint">{hint}</small>}
    </div>
  );
}
