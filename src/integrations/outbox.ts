import type { OutboxConsumerCatalog } from '../outbox/drainers.js';
import { definitionOf, integrationTypes } from './registry.js';
import { listActiveIntegrations } from './service.js';

/** The outbox consumers every active integration declares, as the drainers see them. */
export const integrationOutbox: OutboxConsumerCatalog = {
  async consumers(ctx) {
    const known = new Set(integrationTypes().filter((d) => d.outboxConsumers).map((d) => d.type));
    const integrations = (await listActiveIntegrations(ctx)).filter((i) => known.has(i.type));
    return (await Promise.all(integrations.map((i) => definitionOf(i.type).outboxConsumers!(ctx, i)))).flat();
  },
};
