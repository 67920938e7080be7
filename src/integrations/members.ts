import type { AppContext } from '../context.js';
import { definitionOf } from './registry.js';
import { listActiveIntegrations } from './service.js';

/**
 * Fetches a member not synced yet from the active integration whose members carry that identity
 * type (the membership system), creating the client; null when none has them.
 */
export async function importFromMemberSource(ctx: AppContext, identityTypeId: number, memberId: string): Promise<number | null> {
  for (const integration of await listActiveIntegrations(ctx)) {
    const source = definitionOf(integration.type).memberSource;
    if (source && source.identityTypeId(integration.config) === identityTypeId) return source.importMember(ctx, integration, memberId);
  }
  return null;
}
