import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from './api';
import { Form, type Body, type FieldSpec } from './form';
import { navigate, type Route } from './router';
import { ConfirmButton, PagedList, type Column } from './ui';

/**
 * A screen of one kind of record (identity types, doors, packages, ...): its list, a create form,
 * an edit form per row, and delete after asking. `?new=1` in the URL opens the create form, filled
 * from the other query values named like its fields (a catalog row's "create package for this").
 */
export interface CrudSpec<T> {
  title: string;
  /** What one is called, for buttons and questions: "identity type". */
  noun: string;
  /** The API's collection path under /api/v1: "/admin/identity-types". */
  path: string;
  columns: Column<T>[];
  fields: FieldSpec[];
  /** What a new one starts with (before any prefill from the URL). */
  defaults?: Record<string, unknown>;
  /** What a row is called in the delete question and the notice. */
  nameOf(item: T): string;
  /** Extra buttons per row (a detail page, cancelling a session). */
  rowActions?(item: T, reload: () => void): ComponentChildren;
  /** Extra list filters. */
  params?: Record<string, string | number | null | undefined>;
  refreshMs?: number;
  /** Shown between the heading and the list. */
  intro?: ComponentChildren;
  canDelete?: boolean;
}

type Editing<T> = { kind: 'create'; prefill: Record<string, unknown> } | { kind: 'edit'; item: T } | null;

export function CrudScreen<T extends { id: number }>({ spec, route }: { spec: CrudSpec<T>; route: Route }) {
  const [editing, setEditing] = useState<Editing<T>>(() =>
    route.query.get('new') ? { kind: 'create', prefill: { ...spec.defaults, ...Object.fromEntries(spec.fields.map((f) => [f.name, route.query.get(f.name)]).filter(([, v]) => v !== null)) } } : null,
  );
  const [reloadKey, setReloadKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const reload = () => setReloadKey((k) => k + 1);
  const done = (message: string) => {
    setEditing(null);
    setNotice(message);
    reload();
    if (route.query.get('new')) navigate(route.parts.join('/'));
  };
  const save = async (body: Body) => {
    if (editing?.kind === 'edit') {
      const saved = await api<T>('PATCH', `${spec.path}/${editing.item.id}`, body);
      done(`Saved ${spec.noun} ${spec.nameOf(saved)}.`);
    } else {
      const created = await api<T>('POST', spec.path, body);
      done(`Created ${spec.noun} ${spec.nameOf(created)}.`);
    }
  };
  const formTitle = editing?.kind === 'edit' ? `Edit ${spec.noun} ${spec.nameOf(editing.item)}` : `New ${spec.noun}`;

  return (
    <section aria-labelledby="screen-title">
      <div class="screen-head">
        <h1 id="screen-title">{spec.title}</h1>
        {!editing && (
          <button type="button" class="primary" onClick={() => setEditing({ kind: 'create', prefill: spec.defaults ?? {} })}>
            Add {spec.noun}
          </button>
        )}
      </div>
      {spec.intro}
      {notice && (
        <p class="notice ok" role="status">
          {notice}
        </p>
      )}
      {editing && (
        <div class="panel">
          <h2>{formTitle}</h2>
          <Form
            key={editing.kind === 'edit' ? editing.item.id : 'new'}
            fields={spec.fields}
            initial={editing.kind === 'edit' ? editing.item : editing.prefill}
            submitLabel={editing.kind === 'edit' ? 'Save' : `Create ${spec.noun}`}
            onSubmit={save}
            onCancel={() => setEditing(null)}
          />
        </div>
      )}
      <PagedList<T>
        label={spec.title}
        path={spec.path}
        params={spec.params}
        reloadKey={reloadKey}
        refreshMs={spec.refreshMs}
        columns={spec.columns}
        actions={(item) => (
          <>
            <button type="button" onClick={() => setEditing({ kind: 'edit', item })} aria-label={`Edit ${spec.nameOf(item)}`}>
              Edit
            </button>
            {spec.rowActions?.(item, reload)}
            {spec.canDelete !== false && (
              <ConfirmButton
                label="Delete"
                question={`Delete ${spec.noun} ${spec.nameOf(item)}? This cannot be undone.`}
                onConfirm={async () => {
                  await api('DELETE', `${spec.path}/${item.id}`);
                  setNotice(`Deleted ${spec.noun} ${spec.nameOf(item)}.`);
                  reload();
                }}
              />
            )}
          </>
        )}
      />
    </section>
  );
}
