import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { getLocation, listLocations, type Location } from '../locations/repository.js';
import type { LocationLinkDefinition } from './definition.js';
import { definitionOf, integrationTypes } from './registry.js';
import { claimUnownedLinks, deleteLinkRow, listIntegrationRows, listLinkRows, putLinkRow, type LocationLinkRow } from './repository.js';
import { decryptSecrets, encryptSecrets, secretsKey } from './secrets.js';
import { getIntegration, noteIntegrationsChanged } from './service.js';
import type { Integration } from './types.js';

/** What staff see of a link: per-location secrets are write-only. */
export interface LocationLinkView {
  integrationType: string;
  integrationId: number | null;
  locationId: number;
  externalId: string;
  secrets: Record<string, 'set'> | 'unreadable';
}

function linkDefinition(type: string): LocationLinkDefinition {
  const link = definitionOf(type).locationLink;
  if (!link) throw AppError.rule('noLocationLinks', `Integrations of type ${type} are not linked to locations`);
  return link;
}

function view(ctx: AppContext, row: LocationLinkRow): LocationLinkView {
  let secrets: LocationLinkView['secrets'] = {};
  try {
    if (row.secretsEncrypted) secrets = Object.fromEntries(Object.keys(decryptSecrets(secretsKey(ctx.config), row.secretsEncrypted)).map((k) => [k, 'set' as const]));
  } catch {
    secrets = 'unreadable';
  }
  const { secretsEncrypted: _sealed, ...rest } = row;
  return { ...rest, secrets };
}

/** The external id as stored (a string), validated by the type's schema; a 400 naming `path` otherwise. */
function externalIdOf(link: LocationLinkDefinition, value: unknown, path: string): string {
  const parsed = link.externalIdSchema.safeParse(value);
  if (!parsed.success) throw AppError.badRequest(`${path} is not valid`, parsed.error.issues.map((i) => ({ path, message: i.message })));
  return String(parsed.data);
}

/**
 * Sets a location's link for an integration type. One link per location and type; a remote id
 * maps to one location per integration; a location's members come from one integration of a type.
 */
async function putLink(ctx: AppContext, type: string, integrationId: number | null, locationId: number, externalId: string, secretsEncrypted: string | null, label: string) {
  const link = linkDefinition(type);
  const location = await getLocation(ctx.db, locationId);
  if (!location) throw AppError.notFound(`There is no location ${locationId}`);
  const sameRemote = (await listLinkRows(ctx.db, { integrationType: type, externalId })).find(
    (l) => l.locationId !== locationId && l.integrationId === integrationId,
  );
  if (sameRemote) {
    const other = await getLocation(ctx.db, sameRemote.locationId);
    throw AppError.conflict(`${label} ${externalId} is already linked to location ${sameRemote.locationId} (${other?.name})`, 'linkTaken');
  }
  if (integrationId !== null && link.check) {
    // An inactive integration is not asked: it may point at nothing yet.
    const owner = await getIntegration(ctx, integrationId);
    if (owner?.active) await link.check(ctx, owner, externalId);
  }
  const [current] = await listLinkRows(ctx.db, { integrationType: type, locationIds: [locationId] });
  if (link.ownsMembers && current?.integrationId != null && integrationId !== null && current.integrationId !== integrationId) {
    const other = (await listIntegrationRows(ctx.db, { type })).find((i) => i.id === current.integrationId);
    throw AppError.conflict(
      `Location ${location.name} already gets its members from integration ${current.integrationId} (${other?.name}); unlink it there first`,
      'locationLinkedElsewhere',
    );
  }
  await putLinkRow(ctx.db, { integrationType: type, integrationId, locationId, externalId, secretsEncrypted }, ctx.now());
  noteIntegrationsChanged(ctx);
}

export async function getIntegrationLink(ctx: AppContext, integration: Integration, locationId: number): Promise<LocationLinkView> {
  linkDefinition(integration.type);
  const [row] = await listLinkRows(ctx.db, { integrationId: integration.id, locationIds: [locationId] });
  if (!row) throw AppError.notFound(`Location ${locationId} is not linked to integration ${integration.id}`);
  return view(ctx, row);
}

/** PUT /admin/integrations/:id/locations/:locationId {externalId, secrets?}: any type's link. */
export async function setIntegrationLink(
  ctx: AppContext,
  integration: Integration,
  locationId: number,
  input: { externalId: unknown; secrets?: Record<string, unknown> },
): Promise<LocationLinkView> {
  const link = linkDefinition(integration.type);
  const externalId = externalIdOf(link, input.externalId, 'externalId');
  let sealed: string | null = null;
  if (input.secrets !== undefined) {
    if (!link.secretsSchema) throw AppError.badRequest(`${definitionOf(integration.type).title} links take no secrets`, [{ path: 'secrets', message: 'not accepted for this type' }]);
    const secrets = link.secretsSchema.safeParse(input.secrets);
    if (!secrets.success) throw AppError.badRequest('The link secrets are not valid', secrets.error.issues.map((i) => ({ path: ['secrets', ...i.path.map(String)].join('.'), message: i.message })));
    sealed = encryptSecrets(secretsKey(ctx.config), secrets.data as object);
  } else {
    const [current] = await listLinkRows(ctx.db, { integrationId: integration.id, locationIds: [locationId] });
    sealed = current?.secretsEncrypted ?? null;
  }
  await putLink(ctx, integration.type, integration.id, locationId, externalId, sealed, `${definitionOf(integration.type).title} id`);
  return getIntegrationLink(ctx, integration, locationId);
}

export async function deleteIntegrationLink(ctx: AppContext, integration: Integration, locationId: number): Promise<void> {
  await getIntegrationLink(ctx, integration, locationId);
  await deleteLinkRow(ctx.db, locationId, integration.type);
  noteIntegrationsChanged(ctx);
}

/** Links -> remote id -> location; the first link of a remote id wins. */
async function locationsByRemoteId(ctx: AppContext, links: LocationLinkRow[]): Promise<Map<string, Location>> {
  const locations = new Map((await listLocations(ctx.db)).map((l) => [l.id, l]));
  const found = new Map<string, Location>();
  for (const l of links) if (!found.has(l.externalId) && locations.has(l.locationId)) found.set(l.externalId, locations.get(l.locationId)!);
  return found;
}

/** The locations an integration's remote ids stand for (its own links): remote id -> location. */
export async function linkedLocations(ctx: AppContext, integrationId: number): Promise<Map<string, Location>> {
  return locationsByRemoteId(ctx, await listLinkRows(ctx.db, { integrationId }));
}

/**
 * The locations an integration answers for, by remote id: its own links, then its type's links no
 * integration owns yet (set on a location while several integrations of the type existed).
 */
export async function servedLocations(ctx: AppContext, integration: { id: number; type: string }): Promise<Map<string, Location>> {
  const links = (await listLinkRows(ctx.db, { integrationType: integration.type }))
    .filter((l) => l.integrationId === integration.id || l.integrationId === null)
    .sort((a, b) => Number(a.integrationId === null) - Number(b.integrationId === null));
  return locationsByRemoteId(ctx, links);
}

/** An integration's links with their per-location secrets, for the integration's own use (never shown). */
export async function linksWithSecrets(ctx: AppContext, integrationId: number): Promise<{ locationId: number; externalId: string; secrets: Record<string, unknown> }[]> {
  const key = secretsKey(ctx.config);
  return (await listLinkRows(ctx.db, { integrationId })).map((row) => ({
    locationId: row.locationId,
    externalId: row.externalId,
    secrets: row.secretsEncrypted ? decryptSecrets(key, row.secretsEncrypted) : {},
  }));
}

/** The id of the location a remote id of this integration stands for, if linked. */
export async function linkedLocationId(ctx: AppContext, integration: Integration, externalId: string): Promise<number | null> {
  const [link] = (await listLinkRows(ctx.db, { integrationType: integration.type, externalId })).filter(
    (l) => l.integrationId === integration.id || l.integrationId === null,
  );
  return link?.locationId ?? null;
}

/** The location a remote id of this integration stands for, if linked. */
export async function findLinkedLocation(ctx: AppContext, integration: Integration, externalId: string): Promise<Location | null> {
  const locationId = await linkedLocationId(ctx, integration, externalId);
  return locationId === null ? null : getLocation(ctx.db, locationId);
}

/** A new integration takes over the links of its type that were set before it existed (or outlived theirs). */
export async function claimLinksFor(ctx: AppContext, integration: { id: number; type: string }): Promise<void> {
  await claimUnownedLinks(ctx.db, integration.type, integration.id, ctx.now());
}

// --- The per-type fields on locations (perfectGymClubId, egymLocationId, ...), declared by each type.

function locationFields() {
  return integrationTypes().flatMap((d) => (d.locationLink?.locationField ? [{ ...d.locationLink.locationField, type: d.type, link: d.locationLink }] : []));
}

/** The zod shape of those fields: each the type's id or null. */
export function locationFieldShape(): Record<string, z.ZodType> {
  return Object.fromEntries(locationFields().map(({ name, link }) => [name, link.externalIdSchema.nullable()]));
}

/** Each location's fields, read from its links (null where unlinked). */
export async function locationFieldValues(ctx: AppContext, locationIds: number[]): Promise<Map<number, Record<string, unknown>>> {
  const fields = locationFields();
  const links = locationIds.length ? await listLinkRows(ctx.db, { locationIds }) : [];
  return new Map(
    locationIds.map((id) => [
      id,
      Object.fromEntries(
        fields.map(({ name, type, show }) => {
          const found = links.find((l) => l.locationId === id && l.integrationType === type);
          return [name, found ? show(found.externalId) : null];
        }),
      ),
    ]),
  );
}

/**
 * Sets a location's per-type fields. The link goes to the one integration of that type (or waits
 * for it when there is none yet); with several, the manager names one through the integration's
 * location route.
 */
export async function setLocationFields(ctx: AppContext, locationId: number, values: Record<string, unknown>): Promise<void> {
  for (const { name: field, type, link } of locationFields()) {
    if (values[field] === undefined) continue;
    if (values[field] === null) {
      await deleteLinkRow(ctx.db, locationId, type);
      noteIntegrationsChanged(ctx);
      continue;
    }
    const externalId = externalIdOf(link, values[field], field);
    const [current] = await listLinkRows(ctx.db, { integrationType: type, locationIds: [locationId] });
    const owners = await listIntegrationRows(ctx.db, { type });
    // A location's members come from one integration: with several of a member-owning type, which one must be said.
    if (link.ownsMembers && owners.length > 1 && current?.integrationId == null) {
      throw AppError.conflict(
        `There are ${owners.length} ${definitionOf(type).title} integrations (${owners.map((o) => o.id).join(', ')}): link the location with PUT /api/v1/admin/integrations/<id>/locations/${locationId}`,
        'ambiguousIntegration',
      );
    }
    const owner = current?.integrationId ?? (owners.length === 1 ? owners[0]!.id : null);
    await putLink(ctx, type, owner, locationId, externalId, current?.secretsEncrypted ?? null, field);
  }
}
