import { AppError } from '../errors.js';
import type { IntegrationTypeDefinition } from './definition.js';
import { egymBma } from './egym-bma/index.js';
import { egymMms } from './egym-mms/index.js';
import { perfectGym } from './perfect-gym/index.js';
import { wellpass } from './wellpass/index.js';

const definitions = new Map<string, IntegrationTypeDefinition>();

/** Makes a type known to the generic code: its routes, jobs, links and sign-in take effect in apps built afterwards. */
export function registerIntegrationType(definition: IntegrationTypeDefinition): void {
  definitions.set(definition.type, definition);
}

registerIntegrationType(perfectGym);
registerIntegrationType(egymBma);
registerIntegrationType(egymMms);
registerIntegrationType(wellpass);

export function integrationTypes(): IntegrationTypeDefinition[] {
  return [...definitions.values()];
}

export function definitionOf(type: string): IntegrationTypeDefinition {
  const definition = definitions.get(type);
  if (!definition) throw AppError.badRequest(`There is no integration type ${type}`, [{ path: 'type', message: `one of ${[...definitions.keys()].join(', ')}` }]);
  return definition;
}
