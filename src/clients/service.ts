import { doorEventsOfClient } from '../access/service.js';
import { hashPassword } from '../auth/passwords.js';
import { deleteSessionsOf, forgetKeptSessionsOf } from '../auth/sessions.js';
import { bookingsOfClient } from '../bookings/service.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { inTransaction } from '../db/transaction.js';
import type { Db } from '../db/knex.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { addIdentityOfNewClient, identitiesOfClient, identityChangesOfClient, recordSyncedIdentities } from '../identities/service.js';
import { getLocation } from '../locations/repository.js';
import { recordOutboxEvents } from '../outbox/service.js';
import type { NewOutboxEvent } from '../outbox/types.js';
import { packagesOfClient } from '../packages/service.js';
import {
  filterClientsAtHome,
  findActiveClientsByEmail,
  findClientIdsByExternalKeys,
  findClientsByIdentityValues,
  findSyncedClientsByExternalKeys,
  getClient,
  getClientForUpdate,
  insertClient,
  listClientsPage,
  setExternalKey,
  updateClientRow,
  upsertSyncedClients,
  type Client,
  type ClientFields,
  type ClientFilter,
  type ClientStatus,
  type Gender,
  type SyncedClient,
  type SyncedClientRow,
} from './repository.js';

/** What creating a client takes; `password` is stored as an argon2id hash, `source`/`sourceVersion` are for syncs. */
export interface ClientInput {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  birthDate?: string | null;
  gender?: Gender | null;
  homeLocationId?: number | null;
  memberNumber?: string | null;
  status?: ClientStatus;
  password?: string | null;
  source?: string | null;
  sourceVersion?: number | null;
}

async function toFields(ctx: AppContext, input: Partial<ClientInput>): Promise<Partial<ClientFields>> {
  const { password, ...fields } = input;
  if (fields.homeLocationId != null && !(await getLocation(ctx.db, fields.homeLocationId))) {
    throw AppError.badRequest(`There is no location ${fields.homeLocationId}`, [
      { path: 'homeLocationId', message: `unknown location ${fields.homeLocationId}` },
    ]);
  }
  return password === undefined ? fields : { ...fields, passwordHash: password === null ? null : await hashPassword(password) };
}

export async function getClientOrThrow(ctx: AppContext, id: number): Promise<Client> {
  const client = await getClient(ctx.db, id);
  if (!client) throw AppError.notFound(`There is no client ${id}`);
  return client;
}

export async function listClients(ctx: AppContext, filter: ClientFilter, page: PageQuery): Promise<Page<Client>> {
  return toPage(await listClientsPage(ctx.db, filter, decodeCursor(page.cursor), page.limit), page.limit);
}

/** Active clients with this e-mail (case-insensitive); several share one in families. */
export function activeClientsWithEmail(ctx: AppContext, email: string): Promise<Client[]> {
  return findActiveClientsByEmail(ctx.db, email);
}

/** Of these clients, those at home at that location (a sync scoped to one location keeps to them). */
export function clientsAtHome(ctx: AppContext, ids: number[], locationId: number): Promise<Set<number>> {
  return filterClientsAtHome(ctx.db, ids, locationId);
}

/**
 * What an edit of a client tells the outbox: deactivated or updated at its home location, and,
 * when it moved, updated at the one it left too (a consumer per location learns it is gone).
 */
function clientChanged(id: number, before: { homeLocationId: number | null; status: ClientStatus }, after: { homeLocationId: number | null; status: ClientStatus }): NewOutboxEvent[] {
  const kind = before.status !== 'inactive' && after.status === 'inactive' ? 'deactivated' : 'updated';
  const events: NewOutboxEvent[] = [{ subjectId: id, locationId: after.homeLocationId, kind }];
  if (before.homeLocationId !== null && before.homeLocationId !== after.homeLocationId) events.push({ subjectId: id, locationId: before.homeLocationId, kind: 'updated' });
  return events;
}

export async function createClient(ctx: AppContext, input: ClientInput): Promise<Client> {
  const fields = await toFields(ctx, input);
  const now = ctx.now();
  const id = await inTransaction(ctx.db, async (trx) => {
    const id = await insertClient(trx, { ...fields, firstName: input.firstName, lastName: input.lastName }, now);
    await recordOutboxEvents(trx, 'client', [{ subjectId: id, locationId: fields.homeLocationId ?? null, kind: 'created' }], now);
    return id;
  });
  return (await getClient(ctx.db, id))!;
}

/**
 * A client created with the one identity that finds it (an aggregator's member id), in the caller's
 * transaction: when another client took the value meanwhile the transaction fails (isUniqueViolation;
 * on MySQL at its next statement: the identity's insert travels with it), the caller rolls back and
 * finds that client by the value.
 */
export async function createClientWithIdentity(
  db: Db,
  fields: Pick<ClientFields, 'firstName' | 'lastName' | 'email' | 'homeLocationId' | 'source'>,
  identity: { identityTypeId: number; value: string },
  actor: string,
  now: Date,
): Promise<number> {
  const id = await insertClient(db, fields, now);
  await addIdentityOfNewClient(db, { clientId: id, ...identity }, actor, now);
  await recordOutboxEvents(db, 'client', [{ subjectId: id, locationId: fields.homeLocationId, kind: 'created' }], now);
  return id;
}

/** Partial update; setting status inactive also signs the client out everywhere. */
export async function updateClient(ctx: AppContext, id: number, patch: Partial<ClientInput>): Promise<Client> {
  await getClientOrThrow(ctx, id);
  const fields = await toFields(ctx, patch);
  const now = ctx.now();
  const before = await inTransaction(ctx.db, async (trx) => {
    const before = await getClientForUpdate(trx, id);
    if (!before) throw AppError.notFound(`There is no client ${id}`);
    await updateClientRow(trx, id, fields, now);
    await recordOutboxEvents(trx, 'client', clientChanged(id, before, { homeLocationId: fields.homeLocationId !== undefined ? fields.homeLocationId : before.homeLocationId, status: fields.status ?? before.status }), now);
    return before;
  });
  if (patch.status === 'inactive' && before.status !== 'inactive') {
    await deleteSessionsOf(ctx.db, { type: 'client', id });
  } else {
    forgetKeptSessionsOf(ctx.db, { type: 'client', id });
  }
  return (await getClient(ctx.db, id))!;
}

/** Sets (or, with null, removes) the client's local password. */
export async function setClientPassword(ctx: AppContext, id: number, password: string | null): Promise<Client> {
  return updateClient(ctx, id, { password });
}

/** The admin view of one client: the record, its identities and their recent changes, packages, bookings and entries. */
export async function getClientDetail(ctx: AppContext, id: number) {
  const client = await getClientOrThrow(ctx, id);
  return {
    ...client,
    identities: await identitiesOfClient(ctx, id),
    identityChanges: await identityChangesOfClient(ctx, id, 20),
    packages: await packagesOfClient(ctx, id),
    bookings: await bookingsOfClient(ctx, id, 50),
    doorEvents: await doorEventsOfClient(ctx, id, 50),
  };
}

const SYNCED_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'birthDate', 'gender', 'homeLocationId', 'memberNumber', 'status'] as const;

/**
 * The outbox events of a page of synced clients, from the rows as they were before the upsert:
 * new clients are created; known ones changed (deactivated, or updated, also at the home location
 * they left) only when the page wrote a different value, so re-reading an unchanged member (the
 * sync's overlap below its cursor) or older data (the version guard keeps the row) records nothing.
 */
function syncedClientEvents(wanted: ImportedClient[], source: string, before: Map<string, SyncedClient>, ids: Map<string, number>): NewOutboxEvent[] {
  const events: NewOutboxEvent[] = [];
  for (const c of wanted) {
    const id = ids.get(c.externalKey);
    if (id === undefined) continue;
    const old = before.get(c.externalKey);
    if (!old) {
      events.push({ subjectId: id, locationId: c.homeLocationId, kind: 'created' });
      continue;
    }
    if (old.sourceVersion !== null && c.sourceVersion < old.sourceVersion) continue;
    if (old.source === source && SYNCED_FIELDS.every((f) => (old[f] ?? null) === (c[f] ?? null))) continue;
    events.push(...clientChanged(id, old, c));
  }
  return events;
}

/** A client as a membership system describes it; externalKey is the sync's stable key for it, identityValue its member id. */
export type ImportedClient = Omit<SyncedClientRow, 'source'> & { identityValue: string };

/**
 * Writes a page of a sync's clients with a few set-based statements: find who exists (by key, or
 * by the member identity staff added by hand: that client becomes the member's, no duplicate),
 * upsert all rows guarded by version, then give new clients the member identity. Inactive members
 * who are not clients yet are not created. Identities go through the identities module, audited
 * as `sync.actor`. Returns the client id per externalKey for every row that is (now) a client.
 * Records the outbox events of the clients it creates or changes: call it inside a transaction.
 */
export async function importClients(
  ctx: AppContext,
  sync: { identityTypeId: number; source: string; actor: string },
  clients: ImportedClient[],
): Promise<{ ids: Map<string, number>; created: number; updated: number; skipped: number }> {
  if (!clients.length) return { ids: new Map(), created: 0, updated: 0, skipped: 0 };
  const keys = clients.map((c) => c.externalKey);
  const byIdentity = await findClientsByIdentityValues(ctx.db, sync.identityTypeId, clients.map((c) => c.identityValue));
  const relinked: { clientId: number; value: string }[] = [];
  for (const c of clients) {
    const linked = byIdentity.get(c.identityValue);
    if (linked && linked.externalKey !== c.externalKey) {
      await setExternalKey(ctx.db, linked.clientId, c.externalKey);
      relinked.push({ clientId: linked.clientId, value: c.identityValue });
    }
  }
  const existing = await findSyncedClientsByExternalKeys(ctx.db, keys);
  const wanted = clients.filter((c) => existing.has(c.externalKey) || c.status === 'active');
  const now = ctx.now();
  await upsertSyncedClients(ctx.db, wanted.map((c) => ({ ...c, source: sync.source })), now);
  const ids = await findClientIdsByExternalKeys(ctx.db, keys);
  await recordOutboxEvents(ctx.db, 'client', syncedClientEvents(wanted, sync.source, existing, ids), now);
  const added = wanted.filter((c) => !byIdentity.has(c.identityValue) && ids.has(c.externalKey));
  await recordSyncedIdentities(ctx, sync, { added: added.map((c) => ({ clientId: ids.get(c.externalKey)!, value: c.identityValue })), relinked });
  const created = wanted.filter((c) => !existing.has(c.externalKey)).length;
  return { ids, created, updated: wanted.length - created, skipped: clients.length - wanted.length };
}
