import { listDoorEventsOfClient } from '../access/repository.js';
import { hashPassword } from '../auth/passwords.js';
import { listBookingsOfClient } from '../bookings/repository.js';
import { deleteSessionsOf } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { listIdentitiesOfClient, listIdentityChangesOfClient } from '../identities/repository.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { getLocation } from '../locations/repository.js';
import { listClientPackages } from '../packages/repository.js';
import {
  getClient,
  insertClient,
  listClientsPage,
  updateClientRow,
  type Client,
  type ClientFields,
  type ClientFilter,
  type ClientStatus,
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

/** The admin view of one client: the record plus identities and their recent changes. */
export async function getClientDetail(ctx: AppContext, id: number) {
  const client = await getClientOrThrow(ctx, id);
  return {
    ...client,
    identities: await listIdentitiesOfClient(ctx.db, id),
    identityChanges: await listIdentityChangesOfClient(ctx.db, id, 20),
    packages: await listClientPackages(ctx.db, id),
    bookings: await listBookingsOfClient(ctx.db, id, 50),
    doorEvents: await listDoorEventsOfClient(ctx.db, id, 50),
  };
}
