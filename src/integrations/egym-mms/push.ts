import { getEventWithDoorType } from '../../access/repository.js';
import { getClient, type Client } from '../../clients/repository.js';
import type { AppContext } from '../../context.js';
import { identitiesOfClient, recordSyncedIdentities } from '../../identities/service.js';
import { activePackagesOfClient } from '../../packages/service.js';
import { recordIssue, resolveIssue } from '../issues.js';
import { MmsError, type MmsAccount } from './client.js';
import type { EgymMmsConfig } from './config.js';
import type { MmsLocation } from './locations.js';
import { accountFor, changesBetween } from './mapping.js';
import { deletePushed, getPushed, savePushed } from './pushed.js';

/** Door events clubcore recorded from EGYM's own check-ins: never sent back as check-ins. */
export const EGYM_SOURCE = 'egym_mms';
export const PUSH_ISSUE = 'cannotPush';

async function identityValue(ctx: AppContext, clientId: number, identityTypeId: number): Promise<string | null> {
  return (await identitiesOfClient(ctx, clientId)).find((i) => i.identityTypeId === identityTypeId)?.value ?? null;
}

/** The member's EGYM membershipId: it never changes (an identity that never changes, or the client id). */
function membershipIdOf(ctx: AppContext, config: EgymMmsConfig, clientId: number): Promise<string | null> {
  return config.membershipId.source === 'clientId' ? Promise.resolve(String(clientId)) : identityValue(ctx, clientId, config.membershipId.identityTypeId);
}

export function accountIdOf(ctx: AppContext, loc: MmsLocation, clientId: number): Promise<string | null> {
  return identityValue(ctx, clientId, loc.config.accountIdentityTypeId);
}

const describe = (c: Client, membershipId: string) => `client ${c.id} (${c.firstName} ${c.lastName}, ${c.email ?? 'no e-mail'}, membershipId ${membershipId})`;

/** What staff should do about each conflict EGYM reports (its conflict guide). */
const ADVICE: Record<string, string> = {
  membershipExists: 'the e-mail belongs to another member of the chain at EGYM (families share e-mails): give this client their own e-mail, or, if both are the same person, have EGYM remove the other profile',
  userEmailConflict: 'EGYM holds this membershipId under another e-mail: correct the e-mail here or at EGYM so they match',
  userEmailUsedByAnotherAccountConflict: 'the new e-mail belongs to another EGYM account (families share e-mails): give this client their own e-mail',
  forbiddenAccountMerge: "the personal data clashes with an existing EGYM profile of this e-mail: check names and date of birth against the other profile",
};

/**
 * Sends a client's current state to EGYM at this location (PUSH): creates the account when the
 * client belongs here and has none, updates what changed, ends the membership when the client left
 * the location or was deactivated. What staff must fix (missing e-mail, conflicts) becomes an issue
 * and the event is passed; a failure that may pass (network, 429, 5xx, key refused) throws, and the
 * event is tried again later.
 */
export async function pushClient(ctx: AppContext, loc: MmsLocation, clientId: number): Promise<void> {
  const { integration } = loc;
  const issueKey = `client:${clientId}`;
  const client = await getClient(ctx.db, clientId);
  const pushed = await getPushed(ctx.db, integration.id, clientId);
  if (!client || client.status !== 'active' || client.homeLocationId !== loc.locationId) {
    if (pushed?.locationId === loc.locationId) await endMembership(ctx, loc, clientId, pushed.accountId);
    return;
  }
  const membershipId = await membershipIdOf(ctx, loc.config, clientId);
  const wanted = membershipId === null ? { missing: 'the identity that gives its EGYM membershipId' } : accountFor(client, await activePackagesOfClient(ctx, clientId), membershipId, loc.config);
  if ('missing' in wanted) {
    await recordIssue(ctx.db, integration.id, PUSH_ISSUE, issueKey, `Client ${clientId} (${client.firstName} ${client.lastName}) cannot be sent to EGYM: it has no ${wanted.missing}. Add it and the client is sent at once.`, 1, ctx.now());
    return;
  }
  try {
    const accountId = await upsertAccount(ctx, loc, client, membershipId!, wanted.account, pushed);
    if (accountId) {
      await savePushed(ctx.db, integration.id, clientId, { locationId: loc.locationId, accountId, body: wanted.account }, ctx.now());
      await resolveIssue(ctx.db, integration.id, PUSH_ISSUE, issueKey, ctx.now());
    }
  } catch (err) {
    if (!(err instanceof MmsError) || !(err.kind === 'conflict' || err.kind === 'badRequest')) throw err;
    const code = err.errorCode ?? 'refused';
    const other = typeof err.metadata.accountId === 'string' ? ` and EGYM account ${err.metadata.accountId}` : '';
    const advice = ADVICE[code] ?? err.message;
    await recordIssue(ctx.db, integration.id, PUSH_ISSUE, issueKey, `EGYM refused ${describe(client, membershipId!)}${other} (${code}): ${advice}. The client is sent again when it changes, or with retry-issues.`, 1, ctx.now());
  }
}

/** The account id once EGYM holds `wanted`, or null when a conflict left it to staff (an issue was recorded by the caller's catch). */
async function upsertAccount(ctx: AppContext, loc: MmsLocation, client: Client, membershipId: string, wanted: MmsAccount, pushed: Awaited<ReturnType<typeof getPushed>>): Promise<string | null> {
  const known = pushed?.accountId ?? (await accountIdOf(ctx, loc, client.id));
  if (known && (await update(loc, known, pushed?.accountId === known ? pushed.body : null, wanted))) return known;

  // No account known (or EGYM no longer has it): find the member before creating, as EGYM asks (no idempotency key).
  const byMembership = await loc.mms.findByMembershipId(membershipId);
  if (byMembership?.accountId) return link(ctx, loc, client.id, byMembership, wanted);
  const byEmail = await loc.mms.findByEmail(wanted.email);
  if (byEmail?.accountId && byEmail.membership?.membershipId && byEmail.membership.membershipId !== membershipId) {
    throw new MmsError('conflict', 'e-mail held by another member', 409, 'membershipExists', { accountId: byEmail.accountId });
  }
  try {
    const created = await loc.mms.createAccount(wanted);
    return link(ctx, loc, client.id, created, null);
  } catch (err) {
    const clashing = err instanceof MmsError && err.kind === 'conflict' && typeof err.metadata.accountId === 'string' ? err.metadata.accountId : null;
    if (!clashing || !['membershipExists', 'generalConflict'].includes(err instanceof MmsError ? err.errorCode ?? '' : '')) throw err;
    // The clashing account is this member's when it holds this membershipId (a create sent twice)
    // or the same person (names and birth date): link to it. Anyone else's is left to staff.
    const account = await loc.mms.getAccount(clashing);
    const samePerson = account && (account.membership?.membershipId === membershipId
      || (account.firstName === wanted.firstName && account.lastName === wanted.lastName && account.dateOfBirth === wanted.dateOfBirth));
    if (!account || !samePerson) throw err;
    return link(ctx, loc, client.id, account, wanted);
  }
}

/** Stores the account id on the client; brings EGYM's copy to `wanted` when given. */
async function link(ctx: AppContext, loc: MmsLocation, clientId: number, account: MmsAccount, wanted: MmsAccount | null): Promise<string> {
  const accountId = account.accountId!;
  if ((await accountIdOf(ctx, loc, clientId)) !== accountId) {
    await recordSyncedIdentities(ctx, { identityTypeId: loc.config.accountIdentityTypeId, actor: `integration:${loc.integration.id}` }, { added: [{ clientId, value: accountId }], relinked: [] });
  }
  if (wanted) await update(loc, accountId, account, wanted);
  return accountId;
}

/** Sends what changed since `before` (EGYM's copy as last known; null: unknown, replace it whole). False when EGYM has no such account. */
async function update(loc: MmsLocation, accountId: string, before: Partial<MmsAccount> | null, wanted: MmsAccount): Promise<boolean> {
  const step = before ? changesBetween(before, wanted) : { kind: 'put' as const };
  try {
    if (step.kind === 'patch') await loc.mms.patchAccount(accountId, step.changes);
    else if (step.kind === 'put') await loc.mms.replaceAccount(accountId, wanted);
    return true;
  } catch (err) {
    if (err instanceof MmsError && err.kind === 'notFound') return false;
    throw err;
  }
}

/** The member left this location or was deactivated: EGYM ends the membership and keeps the profile; nothing is deleted otherwise. */
async function endMembership(ctx: AppContext, loc: MmsLocation, clientId: number, accountId: string): Promise<void> {
  try {
    await loc.mms.endMembership(accountId);
  } catch (err) {
    if (!(err instanceof MmsError && err.kind === 'notFound')) throw err;
  }
  await deletePushed(ctx.db, loc.integration.id, clientId);
  await resolveIssue(ctx.db, loc.integration.id, PUSH_ISSUE, `client:${clientId}`, ctx.now());
}

/**
 * A door access event at this location becomes a check-in at EGYM (a check-out through an exit
 * door). Visits EGYM reported itself are not echoed. A client EGYM does not know yet is pushed
 * first in push mode; in pull mode such a client is not an EGYM member, and nothing is sent.
 */
export async function sendVisit(ctx: AppContext, loc: MmsLocation, doorEventId: number): Promise<void> {
  if (!loc.config.checkIns) return;
  const event = await getEventWithDoorType(ctx.db, doorEventId);
  if (!event?.clientId || event.source === EGYM_SOURCE) return;
  let accountId = await accountIdOf(ctx, loc, event.clientId);
  if (!accountId && loc.config.mode === 'push') {
    await pushClient(ctx, loc, event.clientId);
    accountId = await accountIdOf(ctx, loc, event.clientId);
  }
  if (!accountId) return;
  const at = event.occurredAt.getTime();
  try {
    if (event.doorType === 'exit') await loc.mms.checkOut(accountId, at);
    else await loc.mms.checkIn(accountId, at);
  } catch (err) {
    if (!(err instanceof MmsError && (err.kind === 'notFound' || err.kind === 'badRequest'))) throw err;
    ctx.logger.warn({ integrationId: loc.integration.id, doorEventId, err: err.message }, 'EGYM did not take a visit; passed over');
  }
}
