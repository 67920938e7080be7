import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { Db } from '../db/knex.js';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { countPendingAssignments } from '../packages/service.js';
import type { AdminAction } from './definition.js';

/** Something an integration could not do that staff can fix, by kind and key (one row per integration, kind and key). */
export interface SyncIssue {
  kind: string;
  key: string;
  count: number;
  detail: string;
}

/** Records (or counts up and reopens) an issue. */
export async function recordIssue(db: Db, integrationId: number, kind: string, key: string, detail: string, count: number, now: Date): Promise<void> {
  const existing = await db('sync_issues').where({ integration_id: integrationId, kind, issue_key: key }).first('id');
  if (existing) {
    await db('sync_issues').where({ id: existing.id }).update({ count: db.raw('?? + ?', ['count', count]), detail, last_seen_at: now, resolved_at: null });
  } else {
    await db('sync_issues').insert({ integration_id: integrationId, kind, issue_key: key, detail, count, first_seen_at: now, last_seen_at: now });
  }
}

/** Closes an open issue; false when there is none of that kind and key. */
export async function resolveIssue(db: Db, integrationId: number, kind: string, key: string, now: Date): Promise<boolean> {
  return Number(await db('sync_issues').where({ integration_id: integrationId, kind, issue_key: key }).whereNull('resolved_at').update({ resolved_at: now })) > 0;
}

/** Open issues in the order they were first seen, optionally of some kinds only. */
export async function listOpenIssues(db: Db, integrationId: number, kinds?: string[]): Promise<SyncIssue[]> {
  const query = db('sync_issues').where({ integration_id: integrationId }).whereNull('resolved_at').orderBy('id');
  if (kinds) query.whereIn('kind', kinds);
  return (await query).map((r: Record<string, any>) => ({ kind: r.kind, key: r.issue_key, count: r.count, detail: r.detail }));
}

/**
 * An integration's open issues: assignments waiting for a package with their alt id (counted live,
 * so creating the package clears them at once, without another sync), then the recorded ones.
 */
export async function integrationIssues(ctx: AppContext, integrationId: number): Promise<(SyncIssue & { altId?: string })[]> {
  const missing = (await countPendingAssignments(ctx, integrationId)).map((p) => ({
    kind: 'missingPackage',
    key: p.altId,
    altId: p.altId,
    count: p.count,
    detail: `${p.count} client package(s) wait for a package with altId ${p.altId}; create it and they are assigned at once`,
  }));
  return [...missing, ...(await listOpenIssues(ctx.db, integrationId)).filter((i) => i.kind !== 'missingPackage')];
}

const dismissBody = z.object({ kind: z.string().min(1).max(60), key: z.string().min(1).max(191) });

/**
 * The Issues tab's actions for types whose issues are recorded ones: GET .../issues, each recorded
 * issue dismissible, and POST .../dismiss-issue {kind, key} once staff handled it (a technical
 * rejection has no cause left to fix; an issue that happens again opens again).
 */
export const issueActions: AdminAction[] = [
  {
    method: 'get',
    name: 'issues',
    // Missing packages are counted live: they go when the package exists.
    handle: async (ctx, integration) => ({ status: 200, body: { items: (await integrationIssues(ctx, integration.id)).map((i) => ({ ...i, dismissible: i.kind !== 'missingPackage' })) } }),
  },
  {
    method: 'post',
    name: 'dismiss-issue',
    async handle(ctx, integration, req) {
      const { kind, key } = parse(dismissBody, req.body);
      if (!(await resolveIssue(ctx.db, integration.id, kind, key, ctx.now()))) throw AppError.notFound(`Integration ${integration.id} has no open ${kind} issue ${key}`);
      return { status: 200, body: { dismissed: { kind, key } } };
    },
  },
];
