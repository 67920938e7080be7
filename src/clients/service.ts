import { doorEventsOfClient } from '../access/service.js';
import { hashPassword } from '../auth/passwords.js';
import { deleteSessionsOf } from '../auth/sessions.js';
import { bookingsOfClient } from '../bookings/service.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { identitiesOfClient, identityChangesOfClient, recordSyncedIdentities } from '../identities/service.js';
import { getLocation } from '../locations/repository.js';
import { packagesOfClient } from '../packages/service.js';
import {
  filterClientsAtHome,
  findActiveClientsByEmail,
  findClientIdsByExternalKeys,
  findClientsByIdentityValues,
  getClient,
  insertClient,
  listClientsPage,
  setExternalKey,
  updateClientRow,
  upsertSyncedClients,
  type Client,
  type ClientFields,
  type ClientFilter,
  type ClientStatus,
  type SyncedClientRow,
} from './repository.js';

/** What creating a client takes; `password` is stored as an argon2id hash, `source`/`sourceVersion` are for syncs. */
export interface ClientInput {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  birthDate?: string | null;
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

export async function createClient(ctx: AppContext, input: ClientInput): Promise<Client> {
  const fields = await toFields(ctx, input);
  const id = await insertClient(ctx.db, { ...fields, firstName: input.firstName, lastName: input.lastName }, ctx.now());
  return (await getClient(ctx.db, id))!;
}

/** Partial update; setting status inactive also signs the client out everywhere. */
export async function updateClient(ctx: AppContext, id: number, patch: Partial<ClientInput>): Promise<Client> {
  const before = await getClientOrThrow(ctx, id);
  await updateClientRow(ctx.db, id, await toFields(ctx, patch), ctx.now());
  if (patch.status === 'inactive' && before.status !== 'inactive') {
    await deleteSessionsOf(ctx.db, { type: 'client', id });
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

/** A client as a membership system describes it; externalKey is the sync's stable key for it, identityValue its member id. */
export type ImportedClient = Omit<SyncedClientRow, 'source'> & { identityValue: string };

/**
 * Writes a page of a sync's clients with a few set-based statements: find who exists (by key, or
 * by the member identity staff added by hand: that client becomes the member's, no duplicate),
 * upsert all rows guarded by version, then give new clients the member identity. Inactive members
 * who are not clients yet are not created. Identities go through the identities module, audited
 * as `sync.actor`. Returns the client id per externalKey for every row that is (now) a client.
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
  const existing = await findClientIdsByExternalKeys(ctx.db, keys);
  const wanted = clients.filter((c) => existing.has(c.externalKey) || c.status === 'active');
  await upsertSyncedClients(ctx.db, wanted.map((c) => ({ ...c, source: sync.source })), ctx.now());
  const ids = await findClientIdsByExternalKeys(ctx.db, keys);
  const added = wanted.filter((c) => !byIdentity.has(c.identityValue) && ids.has(c.externalKey));
  await recordSyncedIdentities(ctx, sync, { added: added.map((c) => ({ clientId: ids.get(c.externalKey)!, value: c.identityValue })), relinked });
  const created = wanted.filter((c) => !existing.has(c.externalKey)).length;
  return { ids, created, updated: wanted.length - created, skipped: clients.length - wanted.length };
}
