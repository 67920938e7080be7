import { readBool, readDate, type Db } from '../db/knex.js';
import type { IntegrationType } from './types.js';

/** An integrations row with its config parsed and secrets still sealed. */
export interface IntegrationRow {
  id: number;
  type: IntegrationType;
  name: string;
  active: boolean;
  config: Record<string, unknown>;
  secretsEncrypted: string | null;
  credentialsStatus: 'unknown' | 'ok' | 'failing';
  credentialsDetail: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = Record<string, any>;

function toRow(r: Row): IntegrationRow {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    active: readBool(r.active),
    config: JSON.parse(r.config),
    secretsEncrypted: r.secrets_encrypted,
    credentialsStatus: r.credentials_status,
    credentialsDetail: r.credentials_detail,
    createdAt: readDate(r.created_at).toISOString(),
    updatedAt: readDate(r.updated_at).toISOString(),
  };
}

export async function getIntegrationRow(db: Db, id: number): Promise<IntegrationRow | null> {
  const r = await db('integrations').where({ id }).first();
  return r ? toRow(r) : null;
}

export async function listIntegrationRows(db: Db, filter: { type?: IntegrationType; active?: boolean } = {}): Promise<IntegrationRow[]> {
  const q = db('integrations').orderBy('id');
  if (filter.type) q.where({ type: filter.type });
  if (filter.active !== undefined) q.where({ active: filter.active });
  return (await q).map(toRow);
}

export async function insertIntegration(
  db: Db,
  fields: { type: IntegrationType; name: string; active: boolean; config: object; secretsEncrypted: string },
  now: Date,
): Promise<number> {
  const [id] = await db('integrations').insert({
    type: fields.type, name: fields.name, active: fields.active, config: JSON.stringify(fields.config),
    secrets_encrypted: fields.secretsEncrypted, credentials_status: 'unknown', created_at: now, updated_at: now,
  });
  return Number(id);
}

export async function updateIntegrationRow(
  db: Db,
  id: number,
  fields: { name?: string; active?: boolean; config?: object; secretsEncrypted?: string },
  now: Date,
): Promise<void> {
  const row: Row = { updated_at: now };
  if (fields.name !== undefined) row.name = fields.name;
  if (fields.active !== undefined) row.active = fields.active;
  if (fields.config !== undefined) row.config = JSON.stringify(fields.config);
  if (fields.secretsEncrypted !== undefined) row.secrets_encrypted = fields.secretsEncrypted;
  await db('integrations').where({ id }).update(row);
}

export async function setCredentialsStatusRow(db: Db, id: number, status: 'ok' | 'failing', detail: string | null, now: Date): Promise<void> {
  await db('integrations').where({ id }).update({ credentials_status: status, credentials_detail: detail?.slice(0, 500) ?? null, updated_at: now });
}

export async function deleteIntegrationRow(db: Db, id: number): Promise<void> {
  await db('integrations').where({ id }).delete();
}

export async function getCursor(db: Db, integrationId: number, stream: string): Promise<string | null> {
  const r = await db('sync_cursors').where({ integration_id: integrationId, stream }).first('cursor');
  return r ? r.cursor : null;
}

export async function setCursor(db: Db, integrationId: number, stream: string, cursor: string, now: Date): Promise<void> {
  await db('sync_cursors')
    .insert({ integration_id: integrationId, stream, cursor, updated_at: now })
    .onConflict(['integration_id', 'stream'])
    .merge(['cursor', 'updated_at']);
}
