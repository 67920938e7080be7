import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, listAll } from '../api';
import { humanize } from '../schema-fields';
import { ErrorNotice, formatTime } from '../ui';

export interface SyncRun {
  id: number;
  integrationId: number;
  kind: string;
  scope: string;
  trigger: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: Record<string, number>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const FINISHED = ['succeeded', 'failed', 'cancelled'];
const POLL_MS = 1000;

export const runSummary = (run: SyncRun): string =>
  Object.entries(run.progress)
    .map(([k, v]) => `${humanize(k).toLowerCase()} ${v}`)
    .join(', ') || '—';

/** A run as it goes: its counters re-read every second until it ends, then the outcome or its error. */
export function RunProgress({ runId, scopeName }: { runId: number; scopeName?(scope: string): string }) {
  const [run, setRun] = useState<SyncRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const poll = async () => {
      try {
        const next = await api<SyncRun>('GET', `/admin/sync-runs/${runId}`);
        if (!live) return;
        setRun(next);
        setError(null);
        if (FINISHED.includes(next.status)) return;
      } catch (err) {
        if (live) setError((err as Error).message);
      }
      if (live) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [runId]);
  if (!run) return <ErrorNotice error={error} />;
  const outcome =
    run.status === 'succeeded' ? `Run ${run.id} finished: ${runSummary(run)}.` : run.status === 'failed' ? `Run ${run.id} failed: ${run.error ?? 'no reason given'}` : null;
  return (
    <section class="run" aria-label={`Run ${run.id}`}>
      <p>
        Run {run.id} ({run.kind}, {run.scope === 'all' ? 'all locations' : (scopeName?.(run.scope) ?? run.scope)}): <span class={`badge ${run.status}`}>{run.status}</span> since {formatTime(run.startedAt ?? run.createdAt)}
      </p>
      <dl class="counters" aria-live="polite" aria-label="Counters">
        {Object.entries(run.progress).map(([key, value]) => (
          <div key={key}>
            <dt>{humanize(key)}</dt>
            <dd data-counter={key}>{value}</dd>
          </div>
        ))}
        {!Object.keys(run.progress).length && !FINISHED.includes(run.status) && <p class="hint">Counters appear with the first page.</p>}
      </dl>
      {outcome && (
        <p class={`notice ${run.status === 'succeeded' ? 'ok' : 'error'}`} role={run.status === 'succeeded' ? 'status' : 'alert'}>
          {outcome}
        </p>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

/**
 * Perform Member Sync: all linked locations or one, then the run's live progress. A second start
 * while one runs shows the 409's message (clubcore refuses a second run of the same scope).
 */
export function MemberSync({ integrationId }: { integrationId: number }) {
  const [locations, setLocations] = useState<{ id: number; name: string }[]>([]);
  const [scope, setScope] = useState<'all' | 'one'>('all');
  const [locationId, setLocationId] = useState('');
  const [runId, setRunId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void listAll<{ id: number; name: string }>('/admin/locations').then(setLocations, () => setLocations([])), []);
  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (scope === 'one' && !locationId) return setError('Choose the location to sync.');
    try {
      const { run } = await api<{ run: SyncRun }>('POST', `/admin/integrations/${integrationId}/initial-sync`, scope === 'one' ? { locationId: Number(locationId) } : {});
      setRunId(run.id);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setError([err.message, err.fieldErrors.locationId].filter(Boolean).join(': '));
    }
  };
  return (
    <form class="stack" onSubmit={start}>
      <fieldset class="field">
        <legend>Locations to sync</legend>
        <label class="choice">
          <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All locations
        </label>
        <label class="choice">
          <input type="radio" name="scope" checked={scope === 'one'} onChange={() => setScope('one')} /> Specific location
        </label>
      </fieldset>
      {scope === 'one' && (
        <div class="field">
          <label for="sync-location">Location</label>
          <select id="sync-location" value={locationId} onChange={(e) => setLocationId(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {locations.map((l) => (
              <option key={l.id} value={String(l.id)}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="actions">
        <button type="submit" class="primary">
          Start Member Sync
        </button>
      </div>
      <ErrorNotice error={error} />
      {runId !== null && <RunProgress key={runId} runId={runId} scopeName={(scope) => locations.find((l) => scope === `location:${l.id}`)?.name ?? scope} />}
    </form>
  );
}
