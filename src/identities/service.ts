import { getClient, getClientForUpdate } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import type { Db } from '../db/knex.js';
import { AppError } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { recordOutboxEvents } from '../outbox/service.js';
import {
  countIdentitiesOfClient,
  countIdentityTypeUse,
  deleteIdentityRow,
  deleteIdentityTypeRow,
  findClientIdByIdentity,
  findClientIdsByIdentity,
  findIdentityTypeByName,
  getIdentityOfClient,
  getIdentityType,
  insertIdentitiesUnlessTaken,
  insertIdentity,
  insertIdentityChanges,
  insertIdentityLater,
  insertIdentityType,
  lastIdentityChangeAt,
  listIdentitiesOfClient,
  listIdentityChangesOfClient,
  listIdentityTypesPage,
  updateIdentityTypeRow,
  type ClientIdentity,
  type IdentityChange,
  type IdentityType,
  type IdentityTypeFields,
  type NewIdentity,
} from './repository.js';
import { inTransaction } from '../db/transaction.js';

const DAY_MS = 24 * 3600_000;

// ---- identity types

async function assertNameFree(ctx: AppContext, name: string, exceptId?: number) {
  const clash = await findIdentityTypeByName(ctx.db, name);
  if (clash && clash.id !== exceptId) throw AppError.conflict(`An identity type named "${name}" already exists (id ${clash.id})`);
}

export async function listIdentityTypes(ctx: AppContext, page: PageQuery): Promise<Page<IdentityType>> {
  return toPage(await listIdentityTypesPage(ctx.db, decodeCursor(page.cursor), page.limit), page.limit);
}

export async function createIdentityType(ctx: AppContext, fields: IdentityTypeFields): Promise<IdentityType> {
  await assertNameFree(ctx, fields.name);
  const id = await insertIdentityType(ctx.db, fields, ctx.now());
  return (await getIdentityType(ctx.db, id))!;
}

export async function getIdentityTypeOrThrow(ctx: AppContext, id: number): Promise<IdentityType> {
  const type = await getIdentityType(ctx.db, id);
  if (!type) throw AppError.notFound(`There is no identity type ${id}`);
  return type;
}

export async function updateIdentityType(ctx: AppContext, id: number, patch: Partial<IdentityTypeFields>): Promise<IdentityType> {
  await getIdentityTypeOrThrow(ctx, id);
  if (patch.name !== undefined) await assertNameFree(ctx, patch.name, id);
  await updateIdentityTypeRow(ctx.db, id, patch, ctx.now());
  return (await getIdentityType(ctx.db, id))!;
}

export async function deleteIdentityType(ctx: AppContext, id: number): Promise<void> {
  const type = await getIdentityTypeOrThrow(ctx, id);
  const use = await countIdentityTypeUse(ctx.db, id);
  if (use.values || use.changes) {
    throw AppError.conflict(
      `Identity type ${id} (${type.name}) is in use: ${use.values} client identities, ${use.changes} recorded changes; set active=false to stop new values instead`,
    );
  }
  await deleteIdentityTypeRow(ctx.db, id);
}

// ---- client identities

async function conflictFor(ctx: AppContext, type: IdentityType, value: string, ownerId: number): Promise<AppError> {
  const owner = await getClient(ctx.db, ownerId);
  const name = owner ? ` (${owner.firstName} ${owner.lastName})` : '';
  return AppError.conflict(`The ${type.name} value "${value}" is already used by client ${ownerId}${name}`, 'identityTaken');
}

export function identitiesOfClient(ctx: AppContext, clientId: number): Promise<ClientIdentity[]> {
  return listIdentitiesOfClient(ctx.db, clientId);
}

/** The client's most recent identity changes (the audit trail), newest first. */
export function identityChangesOfClient(ctx: AppContext, clientId: number, limit: number): Promise<IdentityChange[]> {
  return listIdentityChangesOfClient(ctx.db, clientId, limit);
}

/**
 * Gives a client an identity value, enforcing every identity rule: the value is unique within
 * its type, at most `maxPerClient` per client, no new value before `minDaysBetweenChanges` have
 * passed since the client's last add/remove of that type, and inactive types take no new values.
 * Adding a value the client already has changes nothing (`created: false`), so syncs may repeat it.
 * Every change is written to identity_changes with `actor` (staff:<id>, client:<id>, integration:<id>, system).
 */
export async function addIdentity(
  ctx: AppContext,
  clientId: number,
  input: { identityTypeId: number; value: string },
  actor: string,
): Promise<{ identity: ClientIdentity; created: boolean }> {
  const { identityTypeId, value } = input;
  const type = await getIdentityType(ctx.db, identityTypeId);
  if (!type) {
    throw AppError.badRequest(`There is no identity type ${identityTypeId}`, [
      { path: 'identityTypeId', message: `unknown identity type ${identityTypeId}` },
    ]);
  }
  const existing = async (db: Db) =>
    (await listIdentitiesOfClient(db, clientId)).find((i) => i.identityTypeId === identityTypeId && i.value === value)!;
  try {
    return await inTransaction(ctx.db, async (trx) => {
      const client = await getClientForUpdate(trx, clientId);
      if (!client) throw AppError.notFound(`There is no client ${clientId}`);
      const ownerId = await findClientIdByIdentity(trx, identityTypeId, value);
      if (ownerId === clientId) {
        return { identity: await existing(trx), created: false };
      }
      if (ownerId !== null) throw await conflictFor({ ...ctx, db: trx }, type, value, ownerId);
      if (!type.active) {
        throw AppError.rule('identityTypeInactive', `Identity type ${type.id} (${type.name}) is inactive and takes no new values`);
      }
      const count = await countIdentitiesOfClient(trx, clientId, identityTypeId);
      if (count >= type.maxPerClient) {
        throw AppError.rule(
          'identityLimitReached',
          `Client ${clientId} already has ${count} ${type.name} identit${count === 1 ? 'y' : 'ies'} (at most ${type.maxPerClient}); remove one first`,
        );
      }
      const now = ctx.now();
      const last = await lastIdentityChangeAt(trx, clientId, identityTypeId);
      if (last && type.minDaysBetweenChanges > 0) {
        const allowedFrom = new Date(last.getTime() + type.minDaysBetweenChanges * DAY_MS);
        if (now < allowedFrom) {
          throw AppError.rule(
            'identityChangeTooSoon',
            `The ${type.name} identity of client ${clientId} changed on ${last.toISOString()}; it may change again from ${allowedFrom.toISOString()} (every ${type.minDaysBetweenChanges} days)`,
          );
        }
      }
      const id = await insertIdentity(trx, { clientId, identityTypeId, value }, now);
      await insertIdentityChanges(trx, [{ clientId, identityTypeId, oldValue: null, newValue: value, actor }], now);
      // A client's identities are part of the client for the systems it is pushed to.
      await recordOutboxEvents(trx, 'client', [{ subjectId: clientId, locationId: client.homeLocationId, kind: 'updated' }], now);
      return { identity: (await getIdentityOfClient(trx, clientId, id))!, created: true };
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    // Lost a race on the (type, value) unique index: say who won, as the checks above would have.
    const ownerId = await findClientIdByIdentity(ctx.db, identityTypeId, value);
    if (ownerId === clientId) return { identity: await existing(ctx.db), created: false };
    if (ownerId !== null) throw await conflictFor(ctx, type, value, ownerId);
    throw err;
  }
}

/** Removes one identity of a client; recorded as a change (it restarts the min-days clock of that type). */
export async function removeIdentity(ctx: AppContext, clientId: number, identityId: number, actor: string): Promise<ClientIdentity> {
  return inTransaction(ctx.db, async (trx) => {
    const client = await getClientForUpdate(trx, clientId);
    if (!client) throw AppError.notFound(`There is no client ${clientId}`);
    const identity = await getIdentityOfClient(trx, clientId, identityId);
    if (!identity) throw AppError.notFound(`Client ${clientId} has no identity ${identityId}`);
    const now = ctx.now();
    await deleteIdentityRow(trx, identityId);
    await insertIdentityChanges(trx, [{ clientId, identityTypeId: identity.identityTypeId, oldValue: identity.value, newValue: null, actor }], now);
    await recordOutboxEvents(trx, 'client', [{ subjectId: clientId, locationId: client.homeLocationId, kind: 'updated' }], now);
    return identity;
  });
}

/** The client carrying this value of an identity type, if any (how a remote id finds its client). */
export async function clientIdByIdentity(ctx: AppContext, identityTypeId: number, value: string): Promise<number | null> {
  return (await findClientIdsByIdentity(ctx.db, identityTypeId, [value])).get(value) ?? null;
}

/**
 * A new client's identity, in the caller's transaction, audited like any change. A value another
 * client holds fails the transaction's next statement (isUniqueViolation): the caller rolls back
 * its new client with it.
 */
export async function addIdentityOfNewClient(db: Db, identity: NewIdentity, actor: string, now: Date): Promise<void> {
  await insertIdentityLater(db, identity, now);
  await insertIdentityChanges(db, [{ clientId: identity.clientId, identityTypeId: identity.identityTypeId, oldValue: null, newValue: identity.value, actor }], now);
}

// ---- identities a sync writes, a page at a time

/** The client carrying each of these values of one type, in one query: how a sync finds its members' clients. */
export function clientIdsByIdentity(ctx: AppContext, identityTypeId: number, values: string[]): Promise<Map<string, number>> {
  return findClientIdsByIdentity(ctx.db, identityTypeId, values);
}

/**
 * The member identities a sync writes, audited in identity_changes like a staff edit, with
 * `actor` (integration:<id>): `added` values go to clients that do not have them yet; `relinked`
 * clients already carry the value and were taken over by the sync (old = new value records that).
 * One insert of values and one of changes per page. The membership system owns these values, so
 * the limits on hand edits (maxPerClient, minDaysBetweenChanges, inactive types) do not apply.
 */
export async function recordSyncedIdentities(
  ctx: AppContext,
  sync: { identityTypeId: number; actor: string },
  changes: { added: { clientId: number; value: string }[]; relinked: { clientId: number; value: string }[] },
): Promise<void> {
  const { identityTypeId, actor } = sync;
  const now = ctx.now();
  await insertIdentitiesUnlessTaken(ctx.db, identityTypeId, changes.added, now);
  await insertIdentityChanges(
    ctx.db,
    [
      ...changes.added.map(({ clientId, value }) => ({ clientId, identityTypeId, oldValue: null, newValue: value, actor })),
      ...changes.relinked.map(({ clientId, value }) => ({ clientId, identityTypeId, oldValue: value, newValue: value, actor })),
    ],
    now,
  );
}
