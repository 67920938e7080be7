import { getClient, type Gender } from '../../clients/repository.js';
import { importClients, type ImportedClient } from '../../clients/service.js';
import type { AppContext } from '../../context.js';
import type { Db } from '../../db/knex.js';
import { inTransaction } from '../../db/transaction.js';
import { clientIdByIdentity, identitiesOfClient, removeIdentity } from '../../identities/service.js';
import { importClientPackages, packagesOfClient, type ImportedClientPackage } from '../../packages/service.js';
import { getCursor, setCursor } from '../repository.js';
import { setCredentialsStatus } from '../service.js';
import { stopIfAborted } from '../streams.js';
import type { Integration, IntegrationRun } from '../types.js';
import { MmsError, type MmsAccount } from './client.js';
import type { EgymMmsConfig } from './config.js';
import { mmsLocations, type MmsLocation } from './locations.js';
import { EGYM_SOURCE } from './push.js';
import { deletePushed } from './pushed.js';

/*
 * PULL (EGYM.md section 3): EGYM's accounts become clients, each location read with its own key.
 *
 * A round lists the location's accounts changed since its cursor (none: every account), newest
 * first by update time, by offset. Such pages shift while they are read: an account written during
 * the walk (updated, or created) jumps to the front, so every row not read yet moves one place
 * later (it is served twice: de-duplicated here); an erased membership leaves the list, so every
 * row behind it moves one place earlier, and a row at the page boundary would slide onto a page
 * already read and never be served. An account written during the walk needs nothing from this
 * round: its update time is after the round's start, and the next round reaches back to the
 * round's start minus the overlap. What must not be lost is a row the walk has not reached and
 * that does not change: those keep their order among themselves, behind every row written since.
 *
 * So each page after the first is asked for from `OVERLAP_ROWS` before where the last one ended,
 * and must contain a row this walk already read: everything newer than that row has been read or
 * was written during the walk, so nothing unchanged lies before the page. A page with no such row
 * (more rows left the list than the pages overlap) is applied, and the walk steps back a page at
 * a time until a page meets what it read (offset 0 always does), then goes on from there.
 */

/** EGYM's maximum page size. */
const LIMIT = 100;
/** Rows each page re-reads of the one before, so a few erased memberships never cost a step back. */
const OVERLAP_ROWS = 10;

const GENDER: Record<MmsAccount['gender'], Gender> = { MALE: 'male', FEMALE: 'female', NON_BINARY: 'other' };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const cursorName = (locationId: number) => `pull:location:${locationId}`;
export const accountKey = (integrationId: number, accountId: string) => `${integrationId}:account:${accountId}`;
export const packageRef = (integrationId: number, accountId: string) => `${integrationId}:account:${accountId}`;
export const membershipAltId = (type: string) => `egym_membership_${type}`;

const configOf = (integration: Integration) => integration.config as unknown as EgymMmsConfig;
const actorOf = (integration: Integration) => `integration:${integration.id}`;

/** An account as a page lists it: with its id and a membership (the feed lists no others). */
type ListedAccount = MmsAccount & { accountId: string };
const listed = (a: MmsAccount): a is ListedAccount => typeof a.accountId === 'string' && a.accountId.length > 0 && !!a.membership?.membershipId;

/** EGYM's dates are days (yyyy-MM-dd), kept as UTC days as push does: a contract runs to the end of its last day. */
function dayStart(day: string | undefined): Date | null {
  return day && DAY.test(day) ? new Date(`${day}T00:00:00.000Z`) : null;
}
function dayEnd(day: string | undefined): Date | null {
  return day && DAY.test(day) ? new Date(`${day}T23:59:59.999Z`) : null;
}

export function toImportedClient(integrationId: number, a: ListedAccount, locationId: number, version: number): ImportedClient {
  return {
    externalKey: accountKey(integrationId, a.accountId),
    identityValue: a.accountId,
    firstName: (a.firstName ?? '').slice(0, 100),
    lastName: (a.lastName ?? '').slice(0, 100),
    email: a.email?.slice(0, 255) || null,
    phone: a.contact?.phone?.slice(0, 50) || null,
    birthDate: a.dateOfBirth && DAY.test(a.dateOfBirth) ? a.dateOfBirth : null,
    gender: GENDER[a.gender] ?? null,
    homeLocationId: locationId,
    memberNumber: a.membership.membershipId.slice(0, 50),
    status: 'active',
    sourceVersion: version,
  };
}

export function toImportedPackage(integrationId: number, clientId: number, a: ListedAccount, version: number): ImportedClientPackage {
  return {
    clientId,
    altId: membershipAltId(a.membership.membershipType),
    source: EGYM_SOURCE,
    sourceRef: packageRef(integrationId, a.accountId),
    integrationId,
    startsAt: dayStart(a.membership.startOfContract),
    endsAt: dayEnd(a.membership.endOfContract),
    status: 'active',
    sourceVersion: version,
  };
}

/** Writes accounts of one location as clients (with the account identity) and their memberships as client packages, through the sync write paths. */
async function applyAccounts(ctx: AppContext, integration: Integration, locationId: number, accounts: ListedAccount[], version: number): Promise<Record<string, number>> {
  const config = configOf(integration);
  const result = await importClients(
    ctx,
    { identityTypeId: config.accountIdentityTypeId, source: EGYM_SOURCE, actor: actorOf(integration) },
    accounts.map((a) => toImportedClient(integration.id, a, locationId, version)),
  );
  const packages = accounts.flatMap((a) => {
    const clientId = result.ids.get(accountKey(integration.id, a.accountId));
    return clientId === undefined ? [] : [toImportedPackage(integration.id, clientId, a, version)];
  });
  const { assigned, pending } = await importClientPackages(ctx, packages);
  return { clientsCreated: result.created, clientsUpdated: result.updated, packagesAssigned: assigned, pendingAssignments: pending };
}

const withDb = (ctx: AppContext, db: Db): AppContext => ({ ...ctx, db });

/**
 * One round at one location: walks the accounts changed since the cursor (see above), applies each
 * page in one transaction with the run's progress, and stores the cursor (this round's start minus
 * the overlap) only once the walk reached the end. A failed round repeats from the old cursor.
 */
async function pullLocation(h: IntegrationRun, loc: MmsLocation): Promise<void> {
  const { ctx, integration } = h;
  const stream = cursorName(loc.locationId);
  const from = await getCursor(ctx.db, integration.id, stream);
  const started = ctx.now();
  const version = started.getTime();
  /** What this round applied (or read without applying) per account: a row served twice is written once, unless it changed. */
  const read = new Map<string, string>();
  /** Accounts read on pages that met what the walk had read before: nothing unchanged lies before them. */
  const anchors = new Set<string>();
  let offset = 0;
  let requests = 0;
  let stepsBack = 0;
  for (;;) {
    stopIfAborted(h);
    const page = await loc.mms.listAccounts({ ...(from ? { fromTimestamp: from } : {}), offset, limit: LIMIT });
    requests++;
    const items = page.items ?? [];
    const ids = items.map((a) => a.accountId).filter((id): id is string => typeof id === 'string');
    const anchored = offset === 0 || ids.some((id) => anchors.has(id));
    const fresh = items.filter(listed).filter((a) => read.get(a.accountId) !== JSON.stringify(a));
    const counters: Record<string, number> = { pages: 1, accountsRead: items.length, accountsRepeated: items.length - fresh.length };
    if (!anchored) counters.pagesStepBack = 1;
    await inTransaction(ctx.db, async (trx) => {
      const applied = fresh.length ? await applyAccounts(withDb(ctx, trx), integration, loc.locationId, fresh, version) : {};
      await h.commitPage(trx, { ...counters, ...applied });
    });
    for (const a of items) if (a.accountId) read.set(a.accountId, JSON.stringify(a));
    if (anchored) for (const id of ids) anchors.add(id);

    if (!anchored) {
      // Rows behind the last page slid before this one: step back until a page meets what was read.
      if (++stepsBack > 5 + 3 * Math.ceil((page.total ?? 0) / (LIMIT - OVERLAP_ROWS))) {
        throw new Error(`EGYM's accounts at location ${loc.locationId} changed faster than they could be read (${requests} pages); the next round tries again from the same point`);
      }
      offset = Math.max(0, offset - (LIMIT - OVERLAP_ROWS));
      continue;
    }
    if (!page.hasNext || !items.length) break;
    offset += Math.max(1, items.length - OVERLAP_ROWS);
  }
  // Never bookmark past the round's start: what changed during the walk is read by the next round,
  // and the overlap covers a clock at EGYM running behind clubcore's.
  const overlapMs = (configOf(integration).pull?.overlapMinutes ?? 5) * 60_000;
  await setCursor(ctx.db, integration.id, stream, new Date(version - overlapMs).toISOString(), ctx.now());
  ctx.logger.info({ integrationId: integration.id, locationId: loc.locationId, from, requests, accounts: read.size }, 'EGYM accounts pulled');
}

function refusedKey(err: unknown): err is MmsError {
  return err instanceof MmsError && (err.kind === 'unauthorized' || err.kind === 'forbidden');
}

/**
 * PULL: every linked location (or the one of scope `location:<id>`), each with its key and cursor.
 * A location that fails does not stop the others; the run fails naming each that did.
 */
export async function pullJob(h: IntegrationRun): Promise<void> {
  const config = configOf(h.integration);
  if (config.mode !== 'pull') throw new Error(`Integration ${h.integration.name} pushes members to EGYM (mode push): clubcore owns them, and pulling would overwrite them. Set mode to pull to read EGYM's accounts`);
  const scoped = /^location:(\d+)$/.exec(h.run.scope)?.[1];
  const locations = (await mmsLocations(h.ctx, h.integration, h.signal)).filter((l) => !scoped || Number(scoped) === l.locationId);
  if (!locations.length) throw new Error('No linked location has an EGYM API key: link a location with secrets.apiKey');
  const failures: string[] = [];
  for (const loc of locations) {
    try {
      await pullLocation(h, loc);
    } catch (err) {
      if (h.signal.aborted) throw err;
      if (refusedKey(err)) await setCredentialsStatus(h.ctx, h.integration.id, 'failing', `location ${loc.locationId}: ${err.message}`);
      h.ctx.logger.warn({ integrationId: h.integration.id, locationId: loc.locationId, err: (err as Error).message }, 'EGYM pull of a location failed');
      failures.push(`location ${loc.locationId}: ${(err as Error).message}`);
    }
  }
  if (failures.length) throw new Error(`EGYM pull failed for ${failures.length} of ${locations.length} location(s): ${failures.join('; ')}`);
  await setCredentialsStatus(h.ctx, h.integration.id, 'ok', null);
}

/**
 * One account again (scope `account:<accountId>`), queued by the webhook on MEMBERSHIP_DELETE or a
 * check-in of an unknown account. Read with the key of the client's home location when linked,
 * else the first linked location's (an account is readable chain-wide).
 * - pull: an account with a membership is imported as a page of one; a missing account or
 *   membership deactivates the client (the sync write path) and ends its EGYM package.
 * - push: clubcore owns the member and keeps it; a missing account or membership only unlinks it
 *   (drops the account id and what was last pushed), so the next push creates or links it again.
 */
export async function accountJob(h: IntegrationRun): Promise<void> {
  const { ctx, integration } = h;
  const accountId = /^account:(.+)$/.exec(h.run.scope)?.[1];
  if (!accountId) throw new Error(`An account run needs the scope account:<accountId>, not ${h.run.scope}`);
  const config = configOf(integration);
  const locations = await mmsLocations(ctx, integration, h.signal);
  if (!locations.length) throw new Error('No linked location has an EGYM API key: link a location with secrets.apiKey');
  const clientId = await clientIdByIdentity(ctx, config.accountIdentityTypeId, accountId);
  const client = clientId === null ? null : await getClient(ctx.db, clientId);
  const loc = locations.find((l) => l.locationId === client?.homeLocationId) ?? locations[0]!;
  const version = ctx.now().getTime();
  stopIfAborted(h);
  const account = await loc.mms.getAccount(accountId);
  const log = { integrationId: integration.id, accountId, clientId };

  if (account && listed({ ...account, accountId })) {
    if (config.mode !== 'pull') return void (await h.commitPage(ctx.db, { accountsRead: 1 }));
    // An account clubcore does not know yet: its location is not in the account, so the client's
    // home (when linked) or the location read from; the pull of its own location corrects it.
    const locationId = client && locations.some((l) => l.locationId === client.homeLocationId) ? client.homeLocationId! : loc.locationId;
    await inTransaction(ctx.db, async (trx) => {
      const applied = await applyAccounts(withDb(ctx, trx), integration, locationId, [{ ...account, accountId }], version);
      await h.commitPage(trx, { accountsRead: 1, ...applied });
    });
    return;
  }

  if (!client) {
    ctx.logger.info(log, 'EGYM has no membership for an account no client carries; nothing to do');
    return void (await h.commitPage(ctx.db, { accountsRead: 1 }));
  }
  if (config.mode === 'pull') {
    await inTransaction(ctx.db, async (trx) => {
      const tctx = withDb(ctx, trx);
      const { updated } = await importClients(
        tctx,
        { identityTypeId: config.accountIdentityTypeId, source: EGYM_SOURCE, actor: actorOf(integration) },
        [{
          externalKey: accountKey(integration.id, accountId), identityValue: accountId,
          firstName: client.firstName, lastName: client.lastName, email: client.email, phone: client.phone, birthDate: client.birthDate,
          gender: client.gender, homeLocationId: client.homeLocationId, memberNumber: client.memberNumber, status: 'inactive', sourceVersion: version,
        }],
      );
      const ref = packageRef(integration.id, accountId);
      const ended = (await packagesOfClient(tctx, client.id))
        .filter((p) => p.source === EGYM_SOURCE && p.sourceRef === ref && p.altId)
        .map((p): ImportedClientPackage => ({ clientId: client.id, altId: p.altId!, source: EGYM_SOURCE, sourceRef: ref, integrationId: integration.id, startsAt: p.startsAt, endsAt: p.endsAt, status: 'ended', sourceVersion: version }));
      await importClientPackages(tctx, ended);
      await h.commitPage(trx, { accountsRead: 1, clientsDeactivated: updated, packagesEnded: ended.length });
    });
    ctx.logger.info(log, 'EGYM has no membership for the account any more: client deactivated');
    return;
  }
  // push: the member stays; only the link to the EGYM account goes (what was pushed first, so a
  // repeated run still finds the client by its account id until both are gone).
  await deletePushed(ctx.db, integration.id, client.id);
  const identity = (await identitiesOfClient(ctx, client.id)).find((i) => i.identityTypeId === config.accountIdentityTypeId && i.value === accountId);
  if (identity) await removeIdentity(ctx, client.id, identity.id, actorOf(integration));
  await h.commitPage(ctx.db, { accountsRead: 1, clientsUnlinked: 1 });
  ctx.logger.info(log, 'EGYM has no membership for the account of a client clubcore pushes: unlinked (account id and push record dropped); the next push creates or links it again');
}
