import { readDate, type Db } from '../db/knex.js';
import { upsertNewer } from '../db/upsert.js';

export interface Package {
  id: number;
  name: string;
  altId: string | null;
  activityIds: number[];
  /** Empty: valid at every location. */
  locationIds: number[];
  createdAt: Date;
  updatedAt: Date;
}

export interface PackageFields {
  name: string;
  altId: string | null;
  activityIds: number[];
  locationIds: number[];
}

export interface ClientPackage {
  id: number;
  packageId: number | null;
  packageName: string | null;
  altId: string | null;
  source: string;
  sourceRef: string;
  startsAt: Date | null;
  endsAt: Date | null;
  status: string;
  /** True while no package carries altId yet (assigned by a sync, applied once the package exists). */
  pending: boolean;
}

/** What one active client package allows: its activities, and locations (empty = all). */
export interface Grant {
  packageId: number;
  activityIds: Set<number>;
  locationIds: Set<number>;
  startsAt: Date | null;
  endsAt: Date | null;
}

type Row = Record<string, any>;

async function loadPackages(db: Db, rows: Row[]): Promise<Package[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [activities, locations] = await Promise.all([
    db('package_activities').whereIn('package_id', ids).orderBy('activity_id').select('package_id', 'activity_id'),
    db('package_locations').whereIn('package_id', ids).orderBy('location_id').select('package_id', 'location_id'),
  ]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    altId: r.alt_id,
    activityIds: activities.filter((a: Row) => a.package_id === r.id).map((a: Row) => a.activity_id),
    locationIds: locations.filter((l: Row) => l.package_id === r.id).map((l: Row) => l.location_id),
    createdAt: readDate(r.created_at),
    updatedAt: readDate(r.updated_at),
  }));
}

export async function getPackage(db: Db, id: number): Promise<Package | null> {
  const row = await db('packages').where({ id }).first();
  return row ? (await loadPackages(db, [row]))[0]! : null;
}

export async function findPackageByAltId(db: Db, altId: string): Promise<Package | null> {
  const row = await db('packages').where({ alt_id: altId }).first();
  return row ? (await loadPackages(db, [row]))[0]! : null;
}

export async function listPackagesPage(db: Db, afterId: number, limit: number): Promise<Package[]> {
  return loadPackages(db, await db('packages').where('id', '>', afterId).orderBy('id').limit(limit + 1));
}

/** altId -> package id, for the alt ids that have a package. */
export async function findPackageIdsByAltIds(db: Db, altIds: string[]): Promise<Map<string, number>> {
  if (!altIds.length) return new Map();
  const rows = await db('packages').whereIn('alt_id', [...new Set(altIds)]).select('id', 'alt_id');
  return new Map(rows.map((r: Row) => [r.alt_id as string, r.id as number]));
}

export async function listPackagesWithAltIds(db: Db): Promise<{ id: number; name: string; altId: string }[]> {
  const rows = await db('packages').whereNotNull('alt_id').orderBy('id').select('id', 'name', 'alt_id');
  return rows.map((r: Row) => ({ id: r.id, name: r.name, altId: r.alt_id }));
}

export async function insertPackage(db: Db, fields: PackageFields, now: Date): Promise<number> {
  const [id] = await db('packages').insert({ name: fields.name, alt_id: fields.altId, created_at: now, updated_at: now });
  await insertGrants(db, Number(id), fields);
  return Number(id);
}

export async function updatePackageRow(db: Db, id: number, fields: Partial<PackageFields>, now: Date): Promise<void> {
  const row: Row = { updated_at: now };
  if (fields.name !== undefined) row.name = fields.name;
  if (fields.altId !== undefined) row.alt_id = fields.altId;
  await db('packages').where({ id }).update(row);
  await replaceGrants(db, id, fields);
}

async function insertGrants(db: Db, id: number, fields: Partial<PackageFields>) {
  if (fields.activityIds?.length) await db('package_activities').insert(fields.activityIds.map((a) => ({ package_id: id, activity_id: a })));
  if (fields.locationIds?.length) await db('package_locations').insert(fields.locationIds.map((l) => ({ package_id: id, location_id: l })));
}

// A new package has no grants to delete: deleting anyway takes MySQL gap locks that deadlock concurrent creates.
async function replaceGrants(db: Db, id: number, fields: Partial<PackageFields>) {
  if (fields.activityIds) await db('package_activities').where({ package_id: id }).delete();
  if (fields.locationIds) await db('package_locations').where({ package_id: id }).delete();
  await insertGrants(db, id, fields);
}

export async function deletePackageRow(db: Db, id: number): Promise<void> {
  await db('packages').where({ id }).delete();
}

/** Pending client packages waiting for this alt id now belong to the package; returns how many. */
export async function attachPendingClientPackages(db: Db, altId: string, packageId: number, now: Date): Promise<number> {
  return Number(await db('client_packages').where({ alt_id: altId }).whereNull('package_id').update({ package_id: packageId, updated_at: now }));
}

/** The package no longer carries altId: what it had through that alt id goes back to pending. */
export async function detachClientPackages(db: Db, altId: string, packageId: number, now: Date): Promise<void> {
  await db('client_packages').where({ alt_id: altId, package_id: packageId }).update({ package_id: null, updated_at: now });
}

export async function countClientPackagesOf(db: Db, packageId: number): Promise<number> {
  const row = await db('client_packages').where({ package_id: packageId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function listClientPackages(db: Db, clientId: number): Promise<ClientPackage[]> {
  const rows = await db('client_packages as cp')
    .leftJoin('packages as p', 'p.id', 'cp.package_id')
    .where('cp.client_id', clientId)
    .orderBy('cp.id')
    .select('cp.*', 'p.name as package_name', 'p.alt_id as package_alt_id');
  return rows.map((r: Row) => ({
    id: r.id,
    packageId: r.package_id,
    packageName: r.package_name ?? null,
    // A sync's assignment carries the remote alt id; one made by staff has its package's.
    altId: r.alt_id ?? r.package_alt_id ?? null,
    source: r.source,
    sourceRef: r.source_ref,
    startsAt: readDate(r.starts_at),
    endsAt: readDate(r.ends_at),
    status: r.status,
    pending: r.package_id === null,
  }));
}

/** Every active, applied client package of the client with what it grants (one query). */
export async function listGrantsOfClient(db: Db, clientId: number): Promise<Grant[]> {
  const rows = await db('client_packages as cp')
    .join('package_activities as pa', 'pa.package_id', 'cp.package_id')
    .leftJoin('package_locations as pl', 'pl.package_id', 'cp.package_id')
    .where({ 'cp.client_id': clientId, 'cp.status': 'active' })
    .select('cp.id', 'cp.package_id', 'cp.starts_at', 'cp.ends_at', 'pa.activity_id', 'pl.location_id');
  const grants = new Map<number, Grant>();
  for (const r of rows) {
    let g = grants.get(r.id);
    if (!g) {
      g = { packageId: r.package_id, activityIds: new Set(), locationIds: new Set(), startsAt: readDate(r.starts_at), endsAt: readDate(r.ends_at) };
      grants.set(r.id, g);
    }
    g.activityIds.add(r.activity_id);
    if (r.location_id !== null) g.locationIds.add(r.location_id);
  }
  return [...grants.values()];
}

export async function insertManualClientPackage(
  db: Db,
  input: { clientId: number; packageId: number; sourceRef: string; startsAt: Date | null; endsAt: Date | null },
  now: Date,
): Promise<number> {
  const [id] = await db('client_packages').insert({
    client_id: input.clientId, package_id: input.packageId, source: 'manual', source_ref: input.sourceRef,
    starts_at: input.startsAt, ends_at: input.endsAt, status: 'active', created_at: now, updated_at: now,
  });
  return Number(id);
}

// ---- client packages a sync writes, a page at a time

/** A client package as a membership system describes it (a contract, an add-on); (source, sourceRef) is its key. */
export interface ImportedClientPackage {
  clientId: number;
  altId: string;
  source: string;
  sourceRef: string;
  integrationId: number;
  startsAt: Date | null;
  endsAt: Date | null;
  status: 'active' | 'suspended' | 'ended';
  sourceVersion: number;
}

/**
 * Inserts new and updates known client packages by (source, sourceRef) in one statement, each only
 * with data at least as new as it holds; `packageIds` has the package per alt id (none: pending).
 */
export async function upsertImportedClientPackages(db: Db, rows: ImportedClientPackage[], packageIds: Map<string, number>, now: Date): Promise<void> {
  await upsertNewer(
    db,
    'client_packages',
    rows.map((r) => ({
      client_id: r.clientId, package_id: packageIds.get(r.altId) ?? null, alt_id: r.altId, source: r.source, source_ref: r.sourceRef,
      integration_id: r.integrationId, starts_at: r.startsAt, ends_at: r.endsAt, status: r.status, source_version: r.sourceVersion,
      created_at: now, updated_at: now,
    })),
    ['source', 'source_ref'],
    ['client_id', 'package_id', 'alt_id', 'starts_at', 'ends_at', 'status', 'updated_at'],
  );
}

/** Pending assignments of an integration grouped by alt id. */
export async function countPendingByAltId(db: Db, integrationId: number): Promise<{ altId: string; count: number }[]> {
  const rows = await db('client_packages')
    .where({ integration_id: integrationId })
    .whereNull('package_id')
    .groupBy('alt_id')
    .orderBy('alt_id')
    .select('alt_id')
    .count({ n: '*' });
  return rows.map((r: Row) => ({ altId: r.alt_id, count: Number(r.n) }));
}
