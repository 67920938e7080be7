import { readBool, readDate, type Db } from '../db/knex.js';

/** An integrations row with its config parsed and secrets still sealed. */
export interface IntegrationRow {
  id: number;
  type: string;
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

export async function listIntegrationRows(db: Db, filter: { type?: string; active?: boolean } = {}): Promise<IntegrationRow[]> {
  const q = db('integrations').orderBy('id');
  if (filter.type) q.where({ type: filter.type });
  if (filter.active !== undefined) q.where({ active: filter.active });
  return (await q).map(toRow);
}

export async function insertIntegration(
  db: Db,
  fields: { type: string; name: string; active: boolean; config: object; secretsEncrypted: string },
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

/** A location's link to a remote club or location of an integration type (location_links). */
export interface LocationLinkRow {
  integrationType: string;
  /** null while no integration of the type claims it (set before the integration was created, or its integration was deleted). */
  integrationId: number | null;
  locationId: number;
  externalId: string;
  secretsEncrypted: string | null;
}

function toLinkRow(r: Row): LocationLinkRow {
  return { integrationType: r.integration_type, integrationId: r.integration_id, locationId: r.location_id, externalId: r.external_id, secretsEncrypted: r.secrets_encrypted };
}

export async function listLinkRows(db: Db, filter: { integrationType?: string; integrationId?: number; locationIds?: number[]; externalId?: string }): Promise<LocationLinkRow[]> {
  const q = db('location_links').orderBy('location_id');
  if (filter.integrationType !== undefined) q.where({ integration_type: filter.integrationType });
  if (filter.integrationId !== undefined) q.where({ integration_id: filter.integrationId });
  if (filter.locationIds !== undefined) q.whereIn('location_id', filter.locationIds);
  if (filter.externalId !== undefined) q.where({ external_id: filter.externalId });
  return (await q).map(toLinkRow);
}

/** One link per location and type (unique): sets it, or moves it to another integration or id. */
export async function putLinkRow(db: Db, link: LocationLinkRow, now: Date): Promise<void> {
  await db('location_links')
    .insert({
      integration_type: link.integrationType, integration_id: link.integrationId, location_id: link.locationId, external_id: link.externalId,
      secrets_encrypted: link.secretsEncrypted, created_at: now, updated_at: now,
    })
    .onConflict(['location_id', 'integration_type'])
    .merge(['integration_id', 'external_id', 'secrets_encrypted', 'updated_at']);
}

export async function deleteLinkRow(db: Db, locationId: number, integrationType: string): Promise<void> {
  await db('location_links').where({ location_id: locationId, integration_type: integrationType }).delete();
}

/** A new integration takes over the links of its type that no integration claims. */
export async function claimUnownedLinks(db: Db, integrationType: string, integrationId: number, now: Date): Promise<void> {
  await db('location_links').where({ integration_type: integrationType }).whereNull('integration_id').update({ integration_id: integrationId, updated_at: now });
}
