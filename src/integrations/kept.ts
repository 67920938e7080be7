import type { AppContext } from '../context.js';
import type { Location } from '../locations/repository.js';
import { servedLocations } from './links.js';
import { integrationsGeneration, listActiveIntegrations } from './service.js';
import type { Integration } from './types.js';

/*
 * Remote systems call for every screen their users open and for every booking: the active
 * integrations of a type and their linked locations are read (and their secrets decrypted) once per
 * KEPT_MS per instance, not per call. A change of credentials, activation or link made through this
 * instance applies at once (the generation); one made through another instance within KEPT_MS.
 */
const KEPT_MS = 1_000;

export interface ActiveIntegration {
  integration: Integration;
  /** The locations it answers for, by the remote system's id for them (servedLocations). */
  locations: Map<string, Location>;
}

interface Kept {
  until: number;
  generation: number;
  active: Promise<ActiveIntegration[]>;
}

// Per database handle (apps sharing a process in tests are separate instances), then per type.
const keptByDb = new WeakMap<object, Map<string, Kept>>();

export function activeIntegrationsKept(ctx: AppContext, type: string): Promise<ActiveIntegration[]> {
  const now = Date.now();
  const generation = integrationsGeneration(ctx);
  let byType = keptByDb.get(ctx.db);
  if (!byType) keptByDb.set(ctx.db, (byType = new Map()));
  const kept = byType.get(type);
  if (kept && kept.until > now && kept.generation === generation) return kept.active;
  const active = listActiveIntegrations(ctx, type).then((all) =>
    Promise.all(all.map(async (integration) => ({ integration, locations: await servedLocations(ctx, integration) }))),
  );
  active.catch(() => byType.delete(type));
  byType.set(type, { until: now + KEPT_MS, generation, active });
  return active;
}

/** One active integration of a type with its linked locations, or null when there is none by that id. */
export async function activeIntegrationKept(ctx: AppContext, type: string, id: number): Promise<ActiveIntegration | null> {
  return (await activeIntegrationsKept(ctx, type)).find((a) => a.integration.id === id) ?? null;
}
