import type { Gender } from '../../clients/repository.js';
import { importClients, type ImportedClient } from '../../clients/service.js';
import type { AppContext } from '../../context.js';
import type { Location } from '../../locations/repository.js';
import { linkedLocations } from '../links.js';
import { importClientPackages, type ImportedClientPackage } from '../../packages/service.js';
import type { Integration } from '../types.js';
import { createPerfectGymClient } from './connection.js';
import type { PerfectGymConfig } from './config.js';
import { clubTimeToUtc } from './time.js';
import type { PgContract, PgMember, PgMemberProduct } from './types.js';
import { inTransaction } from '../../db/transaction.js';

export const SOURCE = 'perfect_gym';

/** This integration's locations by the Perfect Gym club they are linked to. */
export async function locationsByClub(ctx: AppContext, integrationId: number): Promise<Map<number, Location>> {
  return new Map([...(await linkedLocations(ctx, integrationId))].map(([clubId, location]) => [Number(clubId), location]));
}

const GENDER_OF_SEX: Record<string, Gender> = { Male: 'male', Female: 'female', Other: 'other' };

export const memberKey = (integrationId: number, memberId: number) => `${integrationId}:member:${memberId}`;

export function toImportedClient(integrationId: number, m: PgMember, location: Location | undefined): ImportedClient {
  return {
    externalKey: memberKey(integrationId, m.id),
    identityValue: String(m.id),
    firstName: (m.firstName ?? '').slice(0, 100),
    lastName: (m.lastName ?? '').slice(0, 100),
    email: m.email?.slice(0, 255) ?? null,
    phone: m.phoneNumber?.slice(0, 50) ?? null,
    birthDate: m.birthdate?.slice(0, 10) ?? null,
    gender: GENDER_OF_SEX[m.sex ?? ''] ?? null,
    homeLocationId: location?.id ?? null,
    memberNumber: m.number?.slice(0, 50) ?? null,
    status: m.isActive && !m.isDeleted ? 'active' : 'inactive',
    sourceVersion: m.version,
  };
}

/** Current -> active; Freezed -> suspended; ended, cancelled, inactive or deleted -> ended. */
function contractStatus(c: PgContract): ImportedClientPackage['status'] {
  if (c.isDeleted || !c.isActive || c.status === 'Ended') return 'ended';
  if (c.status === 'Freezed') return 'suspended';
  return 'active';
}

export function contractToPackage(integrationId: number, clientId: number, c: PgContract, timeZone: string): ImportedClientPackage {
  return {
    clientId, altId: `payment_plan_${c.paymentPlanId}`, source: SOURCE, sourceRef: `${integrationId}:contract:${c.id}`, integrationId,
    startsAt: clubTimeToUtc(c.startDate, timeZone), endsAt: clubTimeToUtc(c.cancelDate ?? c.endDate, timeZone),
    status: contractStatus(c), sourceVersion: c.version,
  };
}

/** A member product (add-on): ended when deleted or expired by `now`, else active. */
export function productToPackage(integrationId: number, clientId: number, p: PgMemberProduct, timeZone: string, now: Date): ImportedClientPackage {
  const expired = p.expiryDate !== null && (clubTimeToUtc(p.expiryDate, timeZone)?.getTime() ?? 0) < now.getTime();
  return {
    clientId, altId: `product_${p.productId}`, source: SOURCE, sourceRef: `${integrationId}:member_product:${p.id}`, integrationId,
    startsAt: clubTimeToUtc(p.purchaseDate, timeZone), endsAt: clubTimeToUtc(p.expiryDate, timeZone),
    status: p.isDeleted || expired ? 'ended' : 'active', sourceVersion: p.version,
  };
}

/**
 * Fetches one member with contracts and member products and stores them exactly as the sync
 * would: sign-in uses this when a member signed up after the last sync. Null when Perfect Gym has
 * no such member (or it is deleted).
 */
export async function importMemberJustInTime(ctx: AppContext, integration: Integration, memberId: number): Promise<number | null> {
  const config = integration.config as unknown as PerfectGymConfig;
  const pg = createPerfectGymClient(ctx, integration);
  const member = await pg.getById<PgMember>('Members', memberId);
  if (!member || member.isDeleted) return null;
  const [contracts, products] = await Promise.all([
    pg.listAll<PgContract>('Contracts', { filter: `memberId eq ${memberId}` }),
    pg.listAll<PgMemberProduct>('MemberProducts', { filter: `memberId eq ${memberId}` }),
  ]);
  const location = member.homeClubId !== null ? (await locationsByClub(ctx, integration.id)).get(member.homeClubId) : undefined;
  const timeZone = location?.timezone ?? 'UTC';
  return inTransaction(ctx.db, async (trx) => {
    const { ids } = await importClients(
      { ...ctx, db: trx },
      { identityTypeId: config.identityTypeId, source: SOURCE, actor: `integration:${integration.id}` },
      [toImportedClient(integration.id, member, location)],
    );
    const clientId = ids.get(memberKey(integration.id, member.id));
    if (clientId === undefined) return null;
    await importClientPackages({ ...ctx, db: trx }, [
      ...contracts.map((c) => contractToPackage(integration.id, clientId, c, timeZone)),
      ...products.map((p) => productToPackage(integration.id, clientId, p, timeZone, ctx.now())),
    ]);
    return clientId;
  });
}
