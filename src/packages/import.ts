import type { Db } from '../db/knex.js';
import { upsertNewer } from '../db/upsert.js';
import { findPackageIdsByAltIds } from './repository.js';

/** A client package as a membership system describes it (a contract, an add-on). */
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
 * Upserts a page of client packages by (source, sourceRef), guarded by version. A row whose alt id
 * has no package yet is stored pending (package_id null); creating the package attaches it.
 */
export async function upsertImportedClientPackages(db: Db, rows: ImportedClientPackage[], now: Date): Promise<{ assigned: number; pending: number }> {
  if (!rows.length) return { assigned: 0, pending: 0 };
  const packageIds = await findPackageIdsByAltIds(db, rows.map((r) => r.altId));
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
  const pending = rows.filter((r) => !packageIds.has(r.altId)).length;
  return { assigned: rows.length - pending, pending };
}

/** Pending assignments of an integration grouped by alt id: what a manager has to create packages for. */
export async function countPendingByAltId(db: Db, integrationId: number): Promise<{ altId: string; count: number }[]> {
  const rows = await db('client_packages')
    .where({ integration_id: integrationId })
    .whereNull('package_id')
    .groupBy('alt_id')
    .orderBy('alt_id')
    .select('alt_id')
    .count({ n: '*' });
  return rows.map((r: Record<string, any>) => ({ altId: r.alt_id, count: Number(r.n) }));
}
