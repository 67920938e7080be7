import type { AppContext } from '../context.js';
import type { JobCatalog } from '../jobs/types.js';
import { definitionOf, integrationTypes } from './registry.js';
import { getIntegration, listActiveIntegrations } from './service.js';

/** The jobs every registered integration type declares, as the worker and scheduler see them. */
export const integrationJobs: JobCatalog = {
  async jobFor(ctx: AppContext, run) {
    const integration = await getIntegration(ctx, run.integrationId);
    if (!integration) throw new Error(`Integration ${run.integrationId} no longer exists`);
    const job = definitionOf(integration.type).jobs.find((j) => j.kind === run.kind);
    if (!job) throw new Error(`Integration ${integration.name} (${integration.type}) has no ${run.kind} job`);
    if (!integration.active) throw new Error(`Integration ${integration.name} is inactive; activate it to sync`);
    return { owner: integration.type, execute: (rc) => job.run({ ...rc, integration }) };
  },

  async scheduledJobs(ctx: AppContext) {
    const known = new Set(integrationTypes().map((d) => d.type));
    return (await listActiveIntegrations(ctx))
      .filter((integration) => known.has(integration.type))
      .flatMap((integration) =>
        definitionOf(integration.type).jobs.flatMap((job) => {
          const everyMinutes = job.everyMinutes?.(integration.config) ?? null;
          return everyMinutes === null ? [] : [{ integrationId: integration.id, kind: job.kind, everyMinutes }];
        }),
      );
  },
};
