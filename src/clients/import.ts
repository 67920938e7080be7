import type { Db } from '../db/knex.js';
import { upsertNewer } from '../db/upsert.js';
import type { ClientFields } from './repository.js';

/** A client as a membership system describes it; externalKey is the sync's stable key for it. */
export type ImportedClient = Pick<ClientFields, 'firstName' | 'lastName' | 'email' | 'phone' | 'birthDate' | 'homeLocationId' | 'memberNumber'> & {
  externalKey: string;
  identityValue: string;
  status: 'active' | 'inactive';
  sourceVersion: number;
};

const UPDATED = ['first_name', 'last_name', 'email', 'phone', 'birth_date', 'home_location_id', 'member_number', 'status', 'source', 'updated_at'];

/**
 * Writes a page of clients with a few set-based statements: find who exists (by key, or by the
 * identity a staff member added by hand), upsert all rows guarded by version, then add the member
 * identity to new clients. Inactive members who are not clients yet are not created.
 * Returns the client id per externalKey for every row that is (now) a client.
 */
export async function upsertImportedClients(
  db: Db,
  identityTypeId: number,
  source: string,
  clients: ImportedClient[],
  now: Date,
): Promise<{ ids: Map<string, number>; created: number; updated: number; skipped: number }> {
  if (!clients.length) return { ids: new Map(), created: 0, updated: 0, skipped: 0 };
  const keys = clients.map((c) => c.externalKey);
  const byIdentity = new Map<string, { client_id: number; external_key: string | null }>(
    (
      await db('client_identities as ci')
        .join('clients as c', 'c.id', 'ci.client_id')
        .where('ci.identity_type_id', identityTypeId)
        .whereIn('ci.value', clients.map((c) => c.identityValue))
        .select('ci.value', 'ci.client_id', 'c.external_key')
    ).map((r: { value: string; client_id: number; external_key: string | null }) => [r.value, r]),
  );
  // A client staff created and linked by hand becomes this member's client (no duplicate).
  for (const c of clients) {
    const linked = byIdentity.get(c.identityValue);
    if (linked && linked.external_key !== c.externalKey) {
      await db('clients').where({ id: linked.client_id }).update({ external_key: c.externalKey });
    }
  }
  const existing = new Set<string>(await db('clients').whereIn('external_key', keys).pluck('external_key'));
  const wanted = clients.filter((c) => existing.has(c.externalKey) || c.status === 'active');
  await upsertNewer(
    db,
    'clients',
    wanted.map((c) => ({
      external_key: c.externalKey, first_name: c.firstName, last_name: c.lastName, email: c.email, phone: c.phone,
      birth_date: c.birthDate, home_location_id: c.homeLocationId, member_number: c.memberNumber, status: c.status,
      source, source_version: c.sourceVersion, created_at: now, updated_at: now,
    })),
    ['external_key'],
    UPDATED,
  );
  const rows: { id: number; external_key: string }[] = await db('clients').whereIn('external_key', keys).select('id', 'external_key');
  const ids = new Map(rows.map((r) => [r.external_key, r.id]));
  const fresh = wanted.filter((c) => !byIdentity.has(c.identityValue) && ids.has(c.externalKey));
  if (fresh.length) {
    await db('client_identities')
      .insert(fresh.map((c) => ({ client_id: ids.get(c.externalKey), identity_type_id: identityTypeId, value: c.identityValue, created_at: now, updated_at: now })))
      .onConflict(['identity_type_id', 'value'])
      .ignore();
  }
  const created = wanted.filter((c) => !existing.has(c.externalKey)).length;
  return { ids, created, updated: wanted.length - created, skipped: clients.length - wanted.length };
}

/** Client ids for identity values of one type (e.g. Perfect Gym member ids), in one query. */
export async function clientIdsByIdentity(db: Db, identityTypeId: number, values: string[]): Promise<Map<string, number>> {
  if (!values.length) return new Map();
  const rows = await db('client_identities').where({ identity_type_id: identityTypeId }).whereIn('value', [...new Set(values)]).select('value', 'client_id');
  return new Map(rows.map((r: { value: string; client_id: number }) => [r.value, r.client_id]));
}
