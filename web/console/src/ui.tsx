import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, listPath, type Page } from './api';

/** A column of a list: its header and what a row shows in it. */
export interface Column<T> {
  label: string;
  render(item: T): ComponentChildren;
}

/** A table of items; on a narrow screen each row stacks its cells under their column names. */
export function Table<T extends { id: number | string }>(props: {
  label: string;
  caption?: string;
  columns: Column<T>[];
  items: T[] | null;
  actions?(item: T): ComponentChildren;
  /** Said when there are no items. */
  empty?: string;
}) {
  return (
    <div class="table-wrap">
      <table aria-label={props.label} aria-busy={props.items === null}>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.label} scope="col">
                {c.label}
              </th>
            ))}
            {props.actions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.items?.map((item) => (
            <tr key={item.id}>
              {props.columns.map((c) => (
                <td key={c.label} data-label={c.label}>
                  {c.render(item)}
                </td>
              ))}
              {props.actions && <td class="row-actions">{props.actions(item)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {props.items && !props.items.length && <p class="hint">{props.empty ?? 'None.'}</p>}
    </div>
  );
}

/**
 * The one paged list of the console: a page of `path` at a time through the API's cursors
 * (Previous goes back through the cursors seen), filters in `params`, a new first page when they
 * or `reloadKey` change; `refreshMs` re-reads the page shown (clients appearing while a sync runs).
 */
export function PagedList<T extends { id: number | string }>(props: {
  label: string;
  path: string;
  params?: Record<string, string | number | null | undefined>;
  columns: Column<T>[];
  actions?(item: T): ComponentChildren;
  reloadKey?: unknown;
  refreshMs?: number;
  limit?: number;
  empty?: string;
}) {
  const filters = JSON.stringify([props.path, props.params ?? {}, props.reloadKey ?? null]);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const cursor = cursors[cursors.length - 1] ?? null;

  useEffect(() => setCursors([null]), [filters]);
  useEffect(() => {
    let live = true;
    api<Page<T>>('GET', listPath(props.path, { ...props.params, limit: props.limit ?? 25, cursor }))
      .then((p) => live && (setPage(p), setError(null)))
      .catch((err: ApiError) => live && setError(err.message));
    return () => void (live = false);
  }, [filters, cursor, tick]);
  useEffect(() => {
    if (!props.refreshMs) return;
    const timer = setInterval(() => setTick((t) => t + 1), props.refreshMs);
    return () => clearInterval(timer);
  }, [props.refreshMs]);

  return (
    <div class="list">
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <Table label={props.label} columns={props.columns} items={page?.items ?? null} actions={props.actions} empty={props.empty ?? 'Nothing here yet.'} />
      <nav class="pager" aria-label={`${props.label} pages`}>
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}>
          Next page
        </button>
      </nav>
    </div>
  );
}

/** A destructive action: it asks first, in a modal dialog (keyboard: Esc cancels), and says why it failed. */
export function ConfirmButton(props: { label: string; question: string; confirmLabel?: string; onConfirm(): Promise<unknown> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    dialog.current?.close();
    try {
      setError(null);
      await props.onConfirm();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setError(err.message);
    }
  };
  return (
    <>
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={`${id}-q`}>
        <p id={`${id}-q`}>{props.question}</p>
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Keep it
          </button>
          <button type="button" class="danger" onClick={confirm}>
            {props.confirmLabel ?? props.label}
          </button>
        </div>
      </dialog>
      {error && (
        <span class="field-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

/** Tabs of a detail page (the WAI-ARIA pattern: Tab reaches the selected one, arrow keys move between them); the panel is the caller's. */
export function Tabs<K extends string>(props: { label: string; tabs: [K, string][]; current: K; onSelect(tab: K): void }) {
  const move = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const at = props.tabs.findIndex(([key]) => key === props.current);
    const next = (at + step + props.tabs.length) % props.tabs.length;
    props.onSelect(props.tabs[next]![0]);
    ((e.currentTarget as HTMLElement).children[next] as HTMLElement | undefined)?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={props.label} onKeyDown={move}>
      {props.tabs.map(([key, title]) => (
        <button key={key} type="button" role="tab" aria-selected={props.current === key} tabIndex={props.current === key ? 0 : -1} onClick={() => props.onSelect(key)}>
          {title}
        </button>
      ))}
    </div>
  );
}

/** Reads once (and again when `deps` change): the answer, or null while loading; an error as the message. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null; reload(): void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError(null)))
      .catch((err: ApiError) => live && setError(err.message));
    return () => void (live = false);
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function ErrorNotice({ error }: { error: string | null }) {
  return error ? (
    <p class="notice error" role="alert">
      {error}
    </p>
  ) : null;
}

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—');
