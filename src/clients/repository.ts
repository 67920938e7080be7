import { isMysql, readDate, type Db } from '../db/knex.js';
import { upsertNewer } from '../db/upsert.js';

export const CLIENT_STATUSES = ['active', 'inactive'] as const;
export const GENDERS = ['male', 'female', 'other'] as const;
export type Gender = (typeof GENDERS)[number];
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

/** Columns a service may write; `source`/`sourceVersion` are for integrations (e.g. perfect_gym + row version). */
export interface ClientFields {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
  gender: Gender | null;
  homeLocationId: number | null;
  status: ClientStatus;
  memberNumber: string | null;
  passwordHash: string | null;
  source: string | null;
  sourceVersion: number | null;
}

/** A client as the API shows it: never the password hash, only whether there is one. */
export type Client = Omit<ClientFields, 'passwordHash' | 'source' | 'sourceVersion'> & {
  id: number;
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
};

export interface ClientFilter {
  q?: string;
  locationId?: number;
  status?: ClientStatus;
}

type Row = Record<string, any>;

function toClient(row: Row): Client {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    birthDate: row.birth_date,
    gender: row.gender,
    homeLocationId: row.home_location_id,
    status: row.status,
    memberNumber: row.member_number,
    hasPassword: row.password_hash !== null,
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

const columns: Record<keyof ClientFields, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  birthDate: 'birth_date',
  gender: 'gender',
  homeLocationId: 'home_location_id',
  status: 'status',
  memberNumber: 'member_number',
  passwordHash: 'password_hash',
  source: 'source',
  sourceVersion: 'source_version',
};

function toRow(fields: Partial<ClientFields>): Row {
  const row: Row = {};
  for (const [key, column] of Object.entries(columns)) {
    const value = fields[key as keyof ClientFields];
    if (value !== undefined) row[column] = value;
  }
  return row;
}

/** Case-insensitive e-mail match: MySQL's collation already ignores case (and keeps the index). */
function whereEmail(db: Db, email: string) {
  return isMysql(db) ? db.raw('email = ?', [email]) : db.raw('email = ? collate nocase', [email]);
}

export async function getClient(db: Db, id: number): Promise<Client | null> {
  const row = await db('clients').where({ id }).first();
  return row ? toClient(row) : null;
}

/** Reads the client and locks its row for the rest of the transaction (MySQL; SQLite has one writer anyway). */
export async function getClientForUpdate(db: Db, id: number): Promise<Client | null> {
  const row = await db('clients').where({ id }).forUpdate().first();
  return row ? toClient(row) : null;
}

/** Clients a login (e-mail, any case, or member number) may belong to, with their password hash. */
export async function findClientsByLogin(db: Db, login: string): Promise<(Client & { passwordHash: string | null })[]> {
  // A UNION of two index lookups: with `email ... OR member_number = ?` SQLite's planner scans the table.
  const rows = await db('clients')
    .where(whereEmail(db, login))
    .union((byNumber) => byNumber.select('*').from('clients').where({ member_number: login }))
    .orderBy('id');
  return rows.map((row: Row) => ({ ...toClient(row), passwordHash: row.password_hash }));
}

export async function findActiveClientsByEmail(db: Db, email: string): Promise<Client[]> {
  const rows = await db('clients').where(whereEmail(db, email)).andWhere({ status: 'active' }).orderBy('id');
  return rows.map(toClient);
}

/** `%`, `_` and the escape character itself match literally in the LIKE patterns below. */
function likePattern(word: string): string {
  return `%${word.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * One page of the admin list. Every word of `q` must match the first name, last name,
 * e-mail or member number, so "jane doe" finds Jane Doe.
 */
export async function listClientsPage(db: Db, filter: ClientFilter, afterId: number, limit: number): Promise<Client[]> {
  const query = db('clients').where('id', '>', afterId).orderBy('id').limit(limit + 1);
  if (filter.locationId !== undefined) query.where({ home_location_id: filter.locationId });
  if (filter.status !== undefined) query.where({ status: filter.status });
  for (const word of (filter.q ?? '').split(/\s+/).filter(Boolean)) {
    const pattern = likePattern(word);
    query.where((w) => {
      for (const column of ['first_name', 'last_name', 'email', 'member_number']) {
        w.orWhereRaw(`?? like ? escape '!'`, [column, pattern]);
      }
    });
  }
  return (await query).map(toClient);
}

export async function insertClient(db: Db, fields: Partial<ClientFields> & Pick<ClientFields, 'firstName' | 'lastName'>, now: Date): Promise<number> {
  const [id] = await db('clients').insert({ status: 'active', ...toRow(fields), created_at: now, updated_at: now });
  return Number(id);
}

export async function updateClientRow(db: Db, id: number, fields: Partial<ClientFields>, now: Date): Promise<void> {
  await db('clients').where({ id }).update({ ...toRow(fields), updated_at: now });
}

// ---- clients a sync writes, a page at a time (each function is one statement for the whole page)

/** A synced client row: its fields and the sync's key for it; `sourceVersion` guards against older data. */
export type SyncedClientRow = Pick<ClientFields, 'firstName' | 'lastName' | 'email' | 'phone' | 'birthDate' | 'gender' | 'homeLocationId' | 'memberNumber' | 'status'> & {
  externalKey: string;
  source: string;
  sourceVersion: number;
};

/** The clients carrying these values of one identity type, with the sync key each has (null: created by hand). */
export async function findClientsByIdentityValues(
  db: Db,
  identityTypeId: number,
  values: string[],
): Promise<Map<string, { clientId: number; externalKey: string | null }>> {
  const rows = await db('client_identities as ci')
    .join('clients as c', 'c.id', 'ci.client_id')
    .where('ci.identity_type_id', identityTypeId)
    .whereIn('ci.value', values)
    .select('ci.value', 'ci.client_id', 'c.external_key');
  return new Map(rows.map((r: Row) => [r.value, { clientId: r.client_id, externalKey: r.external_key }]));
}

export async function setExternalKey(db: Db, id: number, externalKey: string): Promise<void> {
  await db('clients').where({ id }).update({ external_key: externalKey });
}

/** The client id per sync key, for the keys that are clients. */
export async function findClientIdsByExternalKeys(db: Db, keys: string[]): Promise<Map<string, number>> {
  const rows = await db('clients').whereIn('external_key', keys).select('id', 'external_key');
  return new Map(rows.map((r: Row) => [r.external_key, r.id]));
}

/** Of these clients, those whose home location is `locationId`. */
export async function filterClientsAtHome(db: Db, ids: number[], locationId: number): Promise<Set<number>> {
  if (!ids.length) return new Set();
  return new Set(await db('clients').whereIn('id', [...new Set(ids)]).where({ home_location_id: locationId }).pluck('id'));
}

const SYNCED_COLUMNS = ['first_name', 'last_name', 'email', 'phone', 'birth_date', 'gender', 'home_location_id', 'member_number', 'status', 'source', 'updated_at'];

/** A client row as a sync last wrote it: what a page compares with to tell what it changes. */
export type SyncedClient = Omit<SyncedClientRow, 'externalKey' | 'source' | 'sourceVersion'> & { id: number; source: string | null; sourceVersion: number | null };

/** The clients with these sync keys, with the columns a sync writes. */
export async function findSyncedClientsByExternalKeys(db: Db, keys: string[]): Promise<Map<string, SyncedClient>> {
  const rows = await db('clients').whereIn('external_key', keys).select('id', 'external_key', 'source_version', ...SYNCED_COLUMNS.filter((c) => c !== 'updated_at'));
  return new Map(rows.map((r: Row) => [r.external_key, {
    id: r.id, firstName: r.first_name, lastName: r.last_name, email: r.email, phone: r.phone, birthDate: r.birth_date, gender: r.gender, homeLocationId: r.home_location_id,
    memberNumber: r.member_number, status: r.status, source: r.source, sourceVersion: r.source_version === null ? null : Number(r.source_version),
  }]));
}

/** Inserts new and updates known clients by sync key, each only with data at least as new as it holds. */
export async function upsertSyncedClients(db: Db, clients: SyncedClientRow[], now: Date): Promise<void> {
  await upsertNewer(
    db,
    'clients',
    clients.map((c) => ({
      external_key: c.externalKey, first_name: c.firstName, last_name: c.lastName, email: c.email, phone: c.phone,
      birth_date: c.birthDate, gender: c.gender, home_location_id: c.homeLocationId, member_number: c.memberNumber, status: c.status,
      source: c.source, source_version: c.sourceVersion, created_at: now, updated_at: now,
    })),
    ['external_key'],
    SYNCED_COLUMNS,
  );
}
