import type { AppContext } from '../../context.js';
import { findEntranceDoor } from '../../doors/repository.js';
import { countPendingAssignments } from '../../packages/service.js';
import { listOpenIssues } from '../issues.js';
import { linkedLocations } from '../links.js';

/**
 * Open issues. Missing packages are counted live from the pending assignments, so creating the
 * package makes the issue disappear at once, without another sync.
 */
export async function listSyncIssues(ctx: AppContext, integrationId: number) {
  const missing = (await countPendingAssignments(ctx, integrationId)).map((p) => ({
    kind: 'missingPackage' as const,
    altId: p.altId,
    count: p.count,
    detail: `${p.count} contract(s)/product(s) wait for a package with altId ${p.altId}; create it and they are assigned at once`,
  }));
  const recorded = await listOpenIssues(ctx.db, integrationId, ['noDoor', 'unmappedClub']);
  // A linked location without an entrance door is an issue from the moment it is linked, not only once visits are lost.
  const doorless = [];
  for (const location of (await linkedLocations(ctx, integrationId)).values()) {
    const key = `location:${location.id}`;
    if (recorded.some((r) => r.kind === 'noDoor' && r.key === key) || (await findEntranceDoor(ctx.db, location.id))) continue;
    doorless.push({ kind: 'noDoor' as const, key, count: 0, detail: `Location ${location.name} (${location.id}) has no active entrance door: create one so visits become door events` });
  }
  return { items: [...missing, ...recorded, ...doorless] };
}
