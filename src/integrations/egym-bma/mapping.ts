import { activeClientsWithEmail } from '../../clients/service.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { addIdentity, clientIdByIdentity } from '../../identities/service.js';
import { importFromMemberSource } from '../members.js';
import type { Integration } from '../types.js';
import type { EgymBmaConfig } from './config.js';
import type { EgymClaims } from './token.js';

/** `gymnation-132647` -> `132647`: the configured prefix, or everything up to the last '-'. */
export function stripMembershipPrefix(membershipId: string, prefix: string | undefined): string {
  if (prefix) return membershipId.startsWith(prefix) ? membershipId.slice(prefix.length) : membershipId;
  return membershipId.slice(membershipId.lastIndexOf('-') + 1);
}

async function linkEgymUser(ctx: AppContext, integration: Integration, clientId: number, bmaUserId: string) {
  const config = integration.config as unknown as EgymBmaConfig;
  try {
    await addIdentity(ctx, clientId, { identityTypeId: config.bmaUserIdentityTypeId, value: bmaUserId }, `integration:${integration.id}`);
  } catch (err) {
    // Sign-in still succeeds; the link is made on a later sign-in or by staff.
    ctx.logger.warn({ clientId, err: (err as Error).message }, 'could not store the EGYM user identity');
  }
}

/**
 * Finds the client an EGYM app member is (EGYM.md section 1): the stored EGYM user identity; else the
 * membership id as the membership system's identity (then the EGYM identity is stored); else a unique
 * active e-mail; else the member fetched just in time from the membership system. Never from the token alone.
 */
export async function mapEgymMember(ctx: AppContext, integration: Integration, claims: EgymClaims): Promise<number> {
  const config = integration.config as unknown as EgymBmaConfig;
  const bmaUserId = claims.sub;
  if (bmaUserId) {
    const linked = await clientIdByIdentity(ctx, config.bmaUserIdentityTypeId, bmaUserId);
    if (linked !== null) return linked;
  }
  const memberId = claims.membershipId ? stripMembershipPrefix(claims.membershipId, config.membershipIdPrefix) : null;
  if (memberId) {
    const byMember = await clientIdByIdentity(ctx, config.memberIdentityTypeId, memberId);
    if (byMember !== null) {
      if (bmaUserId) await linkEgymUser(ctx, integration, byMember, bmaUserId);
      return byMember;
    }
  }
  if (!memberId && claims.email) {
    const matches = await activeClientsWithEmail(ctx, claims.email);
    if (matches.length === 1) return matches[0]!.id;
    if (matches.length > 1) {
      throw AppError.conflict(`${matches.length} active members share the e-mail ${claims.email}; staff must link the EGYM account to the right member`, 'ambiguousEmail');
    }
  }
  if (memberId) {
    const clientId = await importFromMemberSource(ctx, config.memberIdentityTypeId, memberId);
    if (clientId !== null) {
      if (bmaUserId) await linkEgymUser(ctx, integration, clientId, bmaUserId);
      return clientId;
    }
  }
  throw new AppError(404, 'Not Found', 'This EGYM member is not known to the club yet (the membership sync has not delivered them); try again later', { code: 'notSynced' });
}

/**
 * The client an EGYM exerciser id names when EGYM's platform calls clubcore (the GroupX classes API),
 * by the sign-in's steps that need no token: the stored EGYM user identity; else, when the id carries
 * the configured membershipIdPrefix (`gymnation-132647`), the membership id without it (the
 * membership system's identity, or that member fetched just in time from the membership system).
 * Without a configured prefix the id is never cut up: an EGYM user id such as a UUID would otherwise
 * name whoever has its last part as member id. No e-mail step (there is no e-mail to go on), and
 * nothing is stored: a server call's id is not proof of who signed in. null when nobody matches.
 */
export async function resolveEgymExerciser(ctx: AppContext, integration: Integration, exerciserId: string): Promise<number | null> {
  const config = integration.config as unknown as EgymBmaConfig;
  const linked = await clientIdByIdentity(ctx, config.bmaUserIdentityTypeId, exerciserId);
  if (linked !== null) return linked;
  const prefix = config.membershipIdPrefix;
  if (!prefix || !exerciserId.startsWith(prefix) || exerciserId.length === prefix.length) return null;
  const memberId = exerciserId.slice(prefix.length);
  return (await clientIdByIdentity(ctx, config.memberIdentityTypeId, memberId)) ?? (await importFromMemberSource(ctx, config.memberIdentityTypeId, memberId));
}
