import type { Knex } from 'knex';
import { readBool, readDate, type Db } from '../db/knex.js';
import { writeLater } from '../db/write-later.js';

/**
 * What an identity type stands for; integrations find "their" identity by the type id in
 * their config, the kind tells people (and the UI) what the values are.
 * - perfect_gym_member: the Perfect Gym member id
 * - egym_bma_user: the EGYM Branded Member App user id (token subject)
 * - membership_number: a membership number of another system
 * - card: an access card / RFID / key fob number
 * - wellpass: an aggregator's customer id (e.g. EGYM Wellpass)
 * - other
 */
// third_party_id: Fisikal's guide keeps the Perfect Gym customer number in a generic "Third-party ID" type.
export const IDENTITY_KINDS = ['perfect_gym_member', 'egym_bma_user', 'egym_account', 'membership_number', 'card', 'wellpass', 'third_party_id', 'other'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface IdentityType {
  id: number;
  name: string;
  kind: IdentityKind;
  maxPerClient: number;
  minDaysBetweenChanges: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdentityTypeFields {
  name: string;
  kind: IdentityKind;
  maxPerClient: number;
  minDaysBetweenChanges: number;
  active: boolean;
}

export interface ClientIdentity {
  id: number;
  identityTypeId: number;
  typeName: string;
  value: string;
  createdAt: Date;
}

export interface IdentityChange {
  id: number;
  identityTypeId: number;
  oldValue: string | null;
  newValue: string | null;
  actor: string;
  changedAt: Date;
}

type Row = Record<string, any>;

function toIdentityType(row: Row): IdentityType {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    maxPerClient: row.max_per_client,
    minDaysBetweenChanges: row.min_days_between_changes,
    active: readBool(row.active),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

function toTypeRow(fields: Partial<IdentityTypeFields>): Row {
  const row: Row = {};
  if (fields.name !== undefined) row.name = fields.name;
  if (fields.kind !== undefined) row.kind = fields.kind;
  if (fields.maxPerClient !== undefined) row.max_per_client = fields.maxPerClient;
  if (fields.minDaysBetweenChanges !== undefined) row.min_days_between_changes = fields.minDaysBetweenChanges;
  if (fields.active !== undefined) row.active = fields.active;
  return row;
}

function toClientIdentity(row: Row): ClientIdentity {
  return {
    id: row.id,
    identityTypeId: row.identity_type_id,
    typeName: row.type_name,
    value: row.value,
    createdAt: readDate(row.created_at),
  };
}

// ---- identity types

export async function getIdentityType(db: Db, id: number): Promise<IdentityType | null> {
  const row = await db('identity_types').where({ id }).first();
  return row ? toIdentityType(row) : null;
}

export async function findIdentityTypeByName(db: Db, name: string): Promise<IdentityType | null> {
  const row = await db('identity_types').where({ name }).first();
  return row ? toIdentityType(row) : null;
}

export async function listIdentityTypesPage(db: Db, afterId: number, limit: number): Promise<IdentityType[]> {
  return (await db('identity_types').where('id', '>', afterId).orderBy('id').limit(limit + 1)).map(toIdentityType);
}

export async function insertIdentityType(db: Db, fields: IdentityTypeFields, now: Date): Promise<number> {
  const [id] = await db('identity_types').insert({ ...toTypeRow(fields), created_at: now, updated_at: now });
  return Number(id);
}

export async function updateIdentityTypeRow(db: Db, id: number, fields: Partial<IdentityTypeFields>, now: Date): Promise<void> {
  await db('identity_types').where({ id }).update({ ...toTypeRow(fields), updated_at: now });
}

export async function deleteIdentityTypeRow(db: Db, id: number): Promise<void> {
  await db('identity_types').where({ id }).delete();
}

/** Values and audit rows of this type (a type in use cannot be deleted). */
export async function countIdentityTypeUse(db: Db, id: number): Promise<{ values: number; changes: number }> {
  const values = await db('client_identities').where({ identity_type_id: id }).count({ n: '*' }).first();
  const changes = await db('identity_changes').where({ identity_type_id: id }).count({ n: '*' }).first();
  return { values: Number(values?.n ?? 0), changes: Number(changes?.n ?? 0) };
}

// ---- client identities

/** The client carrying this value of this type, if any. */
export async function findClientIdByIdentity(db: Db, identityTypeId: number, value: string): Promise<number | null> {
  const row = await db('client_identities').where({ identity_type_id: identityTypeId, value }).first('client_id');
  return row ? Number(row.client_id) : null;
}

/** The client carrying a value of an identity type (one at most: the unique key), as a subquery to read alongside another. */
export function clientOfIdentityQuery(db: Db, identityTypeId: number, value: string): Knex.QueryBuilder {
  return db('client_identities').where({ identity_type_id: identityTypeId, value }).select('client_id');
}

/** The client carrying each of these values of one type (e.g. Perfect Gym member ids), in one query. */
export async function findClientIdsByIdentity(db: Db, identityTypeId: number, values: string[]): Promise<Map<string, number>> {
  if (!values.length) return new Map();
  const rows = await db('client_identities').where({ identity_type_id: identityTypeId }).whereIn('value', [...new Set(values)]).select('value', 'client_id');
  return new Map(rows.map((r: Row) => [r.value, r.client_id]));
}

const identityColumns = [
  'client_identities.id',
  'client_identities.identity_type_id',
  'client_identities.value',
  'client_identities.created_at',
  'identity_types.name as type_name',
];

export async function listIdentitiesOfClient(db: Db, clientId: number): Promise<ClientIdentity[]> {
  const rows = await db('client_identities')
    .join('identity_types', 'identity_types.id', 'client_identities.identity_type_id')
    .where('client_identities.client_id', clientId)
    .orderBy('client_identities.id')
    .select(identityColumns);
  return rows.map(toClientIdentity);
}

export async function getIdentityOfClient(db: Db, clientId: number, identityId: number): Promise<ClientIdentity | null> {
  const row = await db('client_identities')
    .join('identity_types', 'identity_types.id', 'client_identities.identity_type_id')
    .where({ 'client_identities.id': identityId, 'client_identities.client_id': clientId })
    .first(identityColumns);
  return row ? toClientIdentity(row) : null;
}

export async function countIdentitiesOfClient(db: Db, clientId: number, identityTypeId: number): Promise<number> {
  const row = await db('client_identities').where({ client_id: clientId, identity_type_id: identityTypeId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** A value to give a client, before it has a row of its own. */
export interface NewIdentity {
  clientId: number;
  identityTypeId: number;
  value: string;
}

const identityRow = (identity: NewIdentity, now: Date) => ({
  client_id: identity.clientId,
  identity_type_id: identity.identityTypeId,
  value: identity.value,
  created_at: now,
  updated_at: now,
});

export async function insertIdentity(db: Db, identity: NewIdentity, now: Date): Promise<number> {
  const [id] = await db('client_identities').insert(identityRow(identity, now));
  return Number(id);
}

/**
 * An identity whose id nobody needs (a new client's), in a transaction sent with its next
 * statement (writeLater): a value another client holds fails that statement, and the transaction.
 */
export async function insertIdentityLater(db: Db, identity: NewIdentity, now: Date): Promise<void> {
  await writeLater(db, db('client_identities').insert(identityRow(identity, now)));
}

/** A page of values in one insert; a value another client holds already is left to that client. */
export async function insertIdentitiesUnlessTaken(db: Db, identityTypeId: number, identities: { clientId: number; value: string }[], now: Date): Promise<void> {
  if (!identities.length) return;
  await db('client_identities')
    .insert(identities.map((i) => ({ client_id: i.clientId, identity_type_id: identityTypeId, value: i.value, created_at: now, updated_at: now })))
    .onConflict(['identity_type_id', 'value'])
    .ignore();
}

export async function deleteIdentityRow(db: Db, id: number): Promise<void> {
  await db('client_identities').where({ id }).delete();
}

// ---- identity changes (audit trail, and the clock of "min days between changes")

export interface IdentityChangeRow {
  clientId: number;
  identityTypeId: number;
  oldValue: string | null;
  newValue: string | null;
  actor: string;
}

/**
 * The audit of identity values: one multi-row insert, whether one change or a sync's page of them;
 * in a transaction, sent with its next statement (writeLater).
 */
export async function insertIdentityChanges(db: Db, changes: IdentityChangeRow[], now: Date): Promise<void> {
  if (!changes.length) return;
  await writeLater(db, db('identity_changes').insert(
    changes.map((c) => ({
      client_id: c.clientId, identity_type_id: c.identityTypeId, old_value: c.oldValue, new_value: c.newValue, actor: c.actor, changed_at: now,
    })),
  ));
}

export async function lastIdentityChangeAt(db: Db, clientId: number, identityTypeId: number): Promise<Date | null> {
  const row = await db('identity_changes')
    .where({ client_id: clientId, identity_type_id: identityTypeId })
    .orderBy('changed_at', 'desc')
    .first('changed_at');
  return row ? readDate(row.changed_at) : null;
}

export async function listIdentityChangesOfClient(db: Db, clientId: number, limit: number): Promise<IdentityChange[]> {
  const rows = await db('identity_changes').where({ client_id: clientId }).orderBy('id', 'desc').limit(limit);
  return rows.map((row: Row) => ({
    id: row.id,
    identityTypeId: row.identity_type_id,
    oldValue: row.old_value,
    newValue: row.new_value,
    actor: row.actor,
    changedAt: readDate(row.changed_at),
  }));
}
