import { recordDoorEvents } from '../../access/service.js';
import type { NewDoorEvent } from '../../access/repository.js';
import { clientsAtHome, importClients } from '../../clients/service.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { Db } from '../../db/knex.js';
import { findEntranceDoor } from '../../doors/repository.js';
import { clientIdsByIdentity } from '../../identities/service.js';
import { inTransaction } from '../../db/transaction.js';
import type { Location } from '../../locations/repository.js';
import { importClientPackages } from '../../packages/service.js';
import { getCursor, setCursor } from '../repository.js';
import { runStreams, stopIfAborted, type StreamDefinition } from '../streams.js';
import type { Integration, IntegrationRun } from '../types.js';
import { PerfectGymError } from './client.js';
import type { PerfectGymConfig } from './config.js';
import { createPerfectGymClient } from './connection.js';
import { recordIssue, resolveIssue } from '../issues.js';
import { contractToPackage, locationsByClub, productToPackage, SOURCE, toImportedClient } from './members.js';
import { clubTimeToUtc } from './time.js';
import type { PgClub, PgContract, PgMember, PgMemberProduct, PgVisit } from './types.js';

type Stream = 'Members' | 'Contracts' | 'MemberProducts' | 'MemberClubVisits';
type Counters = Record<string, number>;

/** Versions are assigned at write time on Perfect Gym's side: re-read this much below the cursor. */
const OVERLAP_VERSIONS = 200;

interface PageContext {
  ctx: AppContext;
  integration: Integration;
  identityTypeId: number;
  clubs: Map<number, Location>;
  /** A run for one location: contracts and products only of clients at home there. */
  onlyAtHome?: number;
}

/** What the services a page calls work with: the page's transaction and the page's time. */
function inPage(p: PageContext, db: Db, now: Date): AppContext {
  return { ...p.ctx, db, now: () => now };
}

async function applyMembers(p: PageContext, db: Db, members: PgMember[], now: Date): Promise<Counters> {
  const mapped = members.filter((m) => m.homeClubId !== null && p.clubs.has(m.homeClubId));
  const result = await importClients(
    inPage(p, db, now),
    { identityTypeId: p.identityTypeId, source: SOURCE, actor: `integration:${p.integration.id}` },
    mapped.map((m) => toImportedClient(p.integration.id, m, p.clubs.get(m.homeClubId!))),
  );
  return { membersSeen: members.length, clientsCreated: result.created, clientsUpdated: result.updated, membersSkipped: members.length - mapped.length + result.skipped };
}

/** Contracts and member products of members who are clients; others are counted and skipped. */
async function applyPackages(p: PageContext, db: Db, stream: 'Contracts' | 'MemberProducts', rows: (PgContract | PgMemberProduct)[], now: Date): Promise<Counters> {
  const clientIds = await clientIdsByIdentity(inPage(p, db, now), p.identityTypeId, rows.map((r) => String(r.memberId)));
  if (p.onlyAtHome !== undefined) {
    const atHome = await clientsAtHome(inPage(p, db, now), [...clientIds.values()], p.onlyAtHome);
    for (const [memberId, clientId] of clientIds) if (!atHome.has(clientId)) clientIds.delete(memberId);
  }
  const zoneOf = (clubId: number | null) => (clubId !== null ? p.clubs.get(clubId)?.timezone : undefined) ?? 'UTC';
  const packages = rows.flatMap((r) => {
    const clientId = clientIds.get(String(r.memberId));
    if (clientId === undefined) return [];
    return stream === 'Contracts'
      ? [contractToPackage(p.integration.id, clientId, r as PgContract, zoneOf(r.clubId))]
      : [productToPackage(p.integration.id, clientId, r as PgMemberProduct, zoneOf(r.clubId), now)];
  });
  const { assigned, pending } = await importClientPackages(inPage(p, db, now), packages);
  const seen = stream === 'Contracts' ? 'contractsSeen' : 'memberProductsSeen';
  return { [seen]: rows.length, packagesAssigned: assigned, pendingAssignments: pending, packagesSkipped: rows.length - packages.length };
}

async function applyVisits(p: PageContext, db: Db, visits: PgVisit[], now: Date, doors: Map<number, number | null>): Promise<Counters> {
  const clientIds = await clientIdsByIdentity(inPage(p, db, now), p.identityTypeId, visits.map((v) => String(v.memberId)));
  const events: NewDoorEvent[] = [];
  const counters: Counters = { visitsSeen: visits.length, visitsSkipped: 0 };
  for (const v of visits) {
    const location = p.clubs.get(v.clubId);
    const clientId = clientIds.get(String(v.memberId));
    const occurredAt = location ? clubTimeToUtc(v.enterDate, location.timezone) : null;
    if (!location || clientId === undefined || !occurredAt || v.isDeleted) {
      counters.visitsSkipped!++;
      continue;
    }
    if (!doors.has(location.id)) doors.set(location.id, (await findEntranceDoor(db, location.id))?.id ?? null);
    const doorId = doors.get(location.id);
    if (!doorId) {
      await recordIssue(db, p.integration.id, 'noDoor', `location:${location.id}`, `Location ${location.name} (${location.id}) has no active entrance door: create one so visits become door events`, 1, now);
      counters.visitsSkipped!++;
      continue;
    }
    events.push({ doorId, locationId: location.id, clientId, occurredAt, source: SOURCE, sourceRef: `${p.integration.id}:visit:${v.id}` });
  }
  const { created, markedAttended } = await recordDoorEvents(inPage(p, db, now), events);
  return { ...counters, doorEventsCreated: created, bookingsAttended: markedAttended.length };
}

async function pageContext(h: IntegrationRun): Promise<PageContext> {
  const config = h.integration.config as unknown as PerfectGymConfig;
  return { ctx: h.ctx, integration: h.integration, identityTypeId: config.identityTypeId, clubs: await locationsByClub(h.ctx, h.integration.id) };
}

/**
 * Perfect Gym's version feeds as streams. Each re-reads OVERLAP_VERSIONS below its cursor: versions
 * are assigned at write time there, so a late commit may land below what was already read.
 */
function streams(p: PageContext) {
  const doors = new Map<number, number | null>();
  const feed = <Row extends { version: number }>(name: Stream, apply: (db: Db, rows: Row[], now: Date) => Promise<Counters>): StreamDefinition<Row> => ({
    name,
    async *read(h, cursor) {
      let high = Number(cursor ?? 0);
      const pg = createPerfectGymClient(h.ctx, h.integration);
      for await (const rows of pg.pages<Row>(name, { sinceVersion: Math.max(0, high - OVERLAP_VERSIONS) })) {
        high = Math.max(high, rows[rows.length - 1]!.version);
        yield { rows, cursor: String(high) };
      }
    },
    applyPage: (h, trx, rows) => apply(trx, rows, h.ctx.now()),
  });
  return {
    Members: feed<PgMember>('Members', (db, rows, now) => applyMembers(p, db, rows, now)),
    Contracts: feed<PgContract>('Contracts', (db, rows, now) => applyPackages(p, db, 'Contracts', rows, now)),
    MemberProducts: feed<PgMemberProduct>('MemberProducts', (db, rows, now) => applyPackages(p, db, 'MemberProducts', rows, now)),
    MemberClubVisits: feed<PgVisit>('MemberClubVisits', (db, rows, now) => applyVisits(p, db, rows, now, doors)),
  };
}

const CLIENT_STREAMS = ['Members', 'Contracts', 'MemberProducts'] as const;

interface InitialCheckpoint {
  step: number;
  version: number;
  /** The highest version of each client stream when the run began (kept when a run resumes). */
  signpost?: Partial<Record<Stream, number>>;
}

/**
 * Initial sync of one location (or all linked ones): active, not deleted members of the club(s),
 * then every contract and member product of the clients that exist. Each page is applied in one
 * transaction together with the checkpoint, so a killed run resumes at the last committed page.
 */
export async function initialSyncJob(h: IntegrationRun): Promise<void> {
  const p = await pageContext(h);
  let clubs = [...p.clubs.entries()];
  if (h.run.scope !== 'all') {
    const locationId = Number(h.run.scope.replace('location:', ''));
    clubs = clubs.filter(([, location]) => location.id === locationId);
    if (!clubs.length) throw new Error(`Location ${locationId} is not linked to a Perfect Gym club of this integration (set its perfectGymClubId)`);
    p.onlyAtHome = locationId;
  }
  if (!clubs.length) throw new Error('No location is linked to a Perfect Gym club: set perfectGymClubId on the locations to sync');
  const steps: { stream: Stream; filter: string }[] = [
    ...clubs.map(([clubId]) => ({ stream: 'Members' as const, filter: `homeClubId eq ${clubId} and isDeleted eq false and isActive eq true` })),
    { stream: 'Contracts', filter: 'isDeleted eq false' },
    { stream: 'MemberProducts', filter: 'isDeleted eq false' },
  ];
  const apply = streams(p);
  const pg = createPerfectGymClient(h.ctx, h.integration);
  const cp: InitialCheckpoint = (h.checkpoint as InitialCheckpoint | null) ?? { step: 0, version: 0 };
  cp.signpost ??= await signposts(pg); // a fresh run, or a checkpoint written before signposts existed
  for (let i = cp.step; i < steps.length; i++) {
    const { stream, filter } = steps[i]!;
    for await (const page of pg.pages<{ version: number }>(stream, { sinceVersion: i === cp.step ? cp.version : 0, filter })) {
      stopIfAborted(h);
      const last = page[page.length - 1]!.version;
      await inTransaction(h.ctx.db, async (trx) => {
        const counters = await apply[stream].applyPage(h, trx, page as never);
        await h.commitPage(trx, { ...counters, pages: 1 }, { ...cp, step: i, version: last });
      });
    }
  }
  // The first scheduled runs continue from where the walk began, not from the highest version it
  // read: a row changed or deleted during the walk, behind the walk's position, gets a version above
  // the signpost and is picked up then (Singer's rule: never bookmark past what existed at the start).
  for (const stream of CLIENT_STREAMS) {
    if ((await getCursor(h.ctx.db, h.integration.id, stream)) === null) {
      await setCursor(h.ctx.db, h.integration.id, stream, String(cp.signpost[stream] ?? 0), h.ctx.now());
    }
  }
}

async function signposts(pg: ReturnType<typeof createPerfectGymClient>): Promise<Partial<Record<Stream, number>>> {
  const highest = await Promise.all(CLIENT_STREAMS.map((stream) => pg.highestVersion(stream)));
  return Object.fromEntries(CLIENT_STREAMS.map((stream, i) => [stream, highest[i]!]));
}

/** Ongoing client sync: members, then contracts, then member products, each by its version cursor. */
export async function clientsSyncJob(h: IntegrationRun): Promise<void> {
  const all = streams(await pageContext(h));
  await runStreams(h, CLIENT_STREAMS.map((name) => all[name]));
}

/** Ongoing access sync: visits become door events at the location's entrance door and mark attendance. */
export async function accessSyncJob(h: IntegrationRun): Promise<void> {
  const p = await pageContext(h);
  await runStreams(h, [streams(p).MemberClubVisits]);
  for (const location of p.clubs.values()) {
    if (await findEntranceDoor(h.ctx.db, location.id)) await resolveIssue(h.ctx.db, h.integration.id, 'noDoor', `location:${location.id}`, h.ctx.now());
  }
}

/** A location may only be linked to a club Perfect Gym has: club 99 once "synced" other locations' packages. */
export async function checkClubExists(ctx: AppContext, integration: Integration, clubId: string): Promise<void> {
  let clubs: PgClub[];
  try {
    clubs = await createPerfectGymClient(ctx, integration, { retries: 1 }).listAll<PgClub>('Clubs');
  } catch (err) {
    if (err instanceof PerfectGymError) throw AppError.unavailable(`The club id cannot be checked now: ${err.message}; try again when Perfect Gym answers`);
    throw err;
  }
  if (!clubs.some((c) => String(c.id) === clubId)) {
    throw AppError.rule('unknownClub', `Perfect Gym has no club ${clubId}; its clubs are ${clubs.map((c) => `${c.id} (${c.name})`).join(', ') || 'none'}`);
  }
}

/** A real call with no retries, reported in words a manager can act on. */
export async function testPerfectGymConnection(ctx: AppContext, integration: Integration): Promise<{ ok: boolean; detail: string }> {
  try {
    await createPerfectGymClient(ctx, integration, { retries: 0 }).ping();
    return { ok: true, detail: 'Connected: Perfect Gym accepted the client id and secret' };
  } catch (err) {
    if (err instanceof PerfectGymError) return { ok: false, detail: err.message };
    throw err;
  }
}
