import { randomUUID } from 'node:crypto';
import { findMissingActivityIds } from '../classes/repository.js';
import { getClient } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import { AppError, type FieldProblem } from '../errors.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { getLocation } from '../locations/repository.js';
import {
  attachPendingClientPackages,
  countClientPackagesOf,
  countPendingByAltId,
  deletePackageRow,
  detachClientPackages,
  findPackageByAltId,
  findPackageIdsByAltIds,
  getPackage,
  insertManualClientPackage,
  insertPackage,
  listClientPackages,
  listPackagesPage,
  updatePackageRow,
  upsertImportedClientPackages,
  type ClientPackage,
  type Grant,
  type ImportedClientPackage,
  type Package,
  type PackageFields,
} from './repository.js';
import { inTransaction } from '../db/transaction.js';

export type { ImportedClientPackage };

/** Whether any grant allows that activity at that location at that time. */
export function grantsAllow(grants: Grant[], session: { activityId: number; locationId: number; startsAt: Date }): boolean {
  const t = session.startsAt.getTime();
  return grants.some(
    (g) =>
      g.activityIds.has(session.activityId) &&
      (g.locationIds.size === 0 || g.locationIds.has(session.locationId)) &&
      (!g.startsAt || g.startsAt.getTime() <= t) &&
      (!g.endsAt || g.endsAt.getTime() >= t),
  );
}

/** Whether a client package counts at `at`: active, applied (its package exists), and within its dates. */
export function validAt(cp: Pick<ClientPackage, 'status' | 'packageId' | 'startsAt' | 'endsAt'>, at: Date): boolean {
  const t = at.getTime();
  return cp.status === 'active' && cp.packageId !== null && (!cp.startsAt || cp.startsAt.getTime() <= t) && (!cp.endsAt || cp.endsAt.getTime() >= t);
}

/** Every package of the client, pending ones included, in the order they were assigned. */
export function packagesOfClient(ctx: AppContext, clientId: number): Promise<ClientPackage[]> {
  return listClientPackages(ctx.db, clientId);
}

/** The client's packages that count now (validAt). */
export async function activePackagesOfClient(ctx: AppContext, clientId: number): Promise<ClientPackage[]> {
  const now = ctx.now();
  return (await listClientPackages(ctx.db, clientId)).filter((cp) => validAt(cp, now));
}

export async function getPackageOrThrow(ctx: AppContext, id: number): Promise<Package> {
  const pkg = await getPackage(ctx.db, id);
  if (!pkg) throw AppError.notFound(`There is no package ${id}`);
  return pkg;
}

export async function listPackages(ctx: AppContext, page: PageQuery): Promise<Page<Package>> {
  return toPage(await listPackagesPage(ctx.db, decodeCursor(page.cursor), page.limit), page.limit);
}

async function assertReferences(ctx: AppContext, fields: Partial<PackageFields>, exceptId?: number) {
  const errors: FieldProblem[] = [];
  for (const id of await findMissingActivityIds(ctx.db, fields.activityIds ?? [])) {
    errors.push({ path: `activityIds.${fields.activityIds!.indexOf(id)}`, message: `unknown activity ${id}` });
  }
  for (const [i, id] of (fields.locationIds ?? []).entries()) {
    if (!(await getLocation(ctx.db, id))) errors.push({ path: `locationIds.${i}`, message: `unknown location ${id}` });
  }
  if (errors.length) throw AppError.badRequest('The package refers to something that does not exist', errors);
  if (fields.altId) {
    const clash = await findPackageByAltId(ctx.db, fields.altId);
    if (clash && clash.id !== exceptId) throw AppError.conflict(`altId ${fields.altId} is already used by package ${clash.id} (${clash.name})`);
  }
}

/**
 * Creating a package with an alt id applies every pending assignment a sync left for that
 * alt id, in the same transaction: this is how a "missing package" sync issue fixes itself.
 */
export async function createPackage(ctx: AppContext, fields: PackageFields): Promise<Package & { pendingAssignmentsAttached: number }> {
  await assertReferences(ctx, fields);
  const now = ctx.now();
  const { id, attached } = await inTransaction(ctx.db, async (trx) => {
    const id = await insertPackage(trx, fields, now);
    const attached = fields.altId ? await attachPendingClientPackages(trx, fields.altId, id, now) : 0;
    return { id, attached };
  });
  return { ...(await getPackage(ctx.db, id))!, pendingAssignmentsAttached: attached };
}

export async function updatePackage(ctx: AppContext, id: number, patch: Partial<PackageFields>): Promise<Package & { pendingAssignmentsAttached: number }> {
  const before = await getPackageOrThrow(ctx, id);
  await assertReferences(ctx, patch, id);
  const now = ctx.now();
  const altChanged = patch.altId !== undefined && patch.altId !== before.altId;
  const attached = await inTransaction(ctx.db, async (trx) => {
    await updatePackageRow(trx, id, patch, now);
    if (!altChanged) return 0;
    if (before.altId) await detachClientPackages(trx, before.altId, id, now);
    return patch.altId ? attachPendingClientPackages(trx, patch.altId, id, now) : 0;
  });
  return { ...(await getPackage(ctx.db, id))!, pendingAssignmentsAttached: attached };
}

export async function deletePackage(ctx: AppContext, id: number): Promise<void> {
  await getPackageOrThrow(ctx, id);
  const assigned = await countClientPackagesOf(ctx.db, id);
  if (assigned) throw AppError.conflict(`Package ${id} is assigned to clients ${assigned} time(s); it cannot be deleted while in use`);
  await deletePackageRow(ctx.db, id);
}

/** Staff hand a package to a client directly (not through a membership system). */
export async function assignPackage(
  ctx: AppContext,
  clientId: number,
  input: { packageId: number; startsAt: Date | null; endsAt: Date | null },
): Promise<ClientPackage> {
  if (!(await getClient(ctx.db, clientId))) throw AppError.notFound(`There is no client ${clientId}`);
  if (!(await getPackage(ctx.db, input.packageId))) {
    throw AppError.badRequest(`There is no package ${input.packageId}`, [{ path: 'packageId', message: `unknown package ${input.packageId}` }]);
  }
  const id = await insertManualClientPackage(ctx.db, { clientId, ...input, sourceRef: randomUUID() }, ctx.now());
  return (await listClientPackages(ctx.db, clientId)).find((cp) => cp.id === id)!;
}

/**
 * Writes a page of a sync's client packages (one read of the alt ids, one upsert), guarded by
 * version. A row whose alt id has no package yet is stored pending (no package); creating the
 * package attaches it (createPackage).
 */
export async function importClientPackages(ctx: AppContext, rows: ImportedClientPackage[]): Promise<{ assigned: number; pending: number }> {
  if (!rows.length) return { assigned: 0, pending: 0 };
  const packageIds = await findPackageIdsByAltIds(ctx.db, rows.map((r) => r.altId));
  await upsertImportedClientPackages(ctx.db, rows, packageIds, ctx.now());
  const pending = rows.filter((r) => !packageIds.has(r.altId)).length;
  return { assigned: rows.length - pending, pending };
}

/** An integration's pending assignments by alt id: the packages a manager still has to create. */
export function countPendingAssignments(ctx: AppContext, integrationId: number): Promise<{ altId: string; count: number }[]> {
  return countPendingByAltId(ctx.db, integrationId);
}
