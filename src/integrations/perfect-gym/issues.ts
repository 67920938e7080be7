import type { AppContext } from '../../context.js';
import { findEntranceDoor } from '../../doors/repository.js';
import { integrationIssues } from '../issues.js';
import { linkedLocations } from '../links.js';

/** Open issues; a linked location without an entrance door is one from the moment it is linked, not only once visits are lost. */
export async function listSyncIssues(ctx: AppContext, integrationId: number) {
  const recorded = await integrationIssues(ctx, integrationId);
  const doorless = [];
  for (const location of (await linkedLocations(ctx, integrationId)).values()) {
    const key = `location:${location.id}`;
    if (recorded.some((r) => r.kind === 'noDoor' && r.key === key) || (await findEntranceDoor(ctx.db, location.id))) continue;
    doorless.push({ kind: 'noDoor' as const, key, count: 0, detail: `Location ${location.name} (${location.id}) has no active entrance door: create one so visits become door events` });
  }
  return { items: [...recorded, ...doorless] };
}
