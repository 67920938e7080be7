import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sameSecret } from '../auth/same-secret.js';
import type { AppContext } from '../context.js';
import { AppError, type FieldProblem } from '../errors.js';
import { toPage } from '../http/paging.js';
import { getIdentityType } from '../identities/repository.js';
import { findActiveRun, getRun, listRunsPage, nextDueAt } from '../jobs/runs.js';
import type { SyncRun } from '../jobs/types.js';
import { claimLinksFor } from './links.js';
import { definitionOf, integrationTypes } from './registry.js';
import {
  deleteIntegrationRow,
  getIntegrationRow,
  insertIntegration,
  listIntegrationRows,
  setCredentialsStatusRow,
  updateIntegrationRow,
  type IntegrationRow,
} from './repository.js';
import { decryptSecrets, encryptSecrets, secretsKey, secretsOf } from './secrets.js';
import type { Integration } from './types.js';

function open(ctx: AppContext, row: IntegrationRow): Integration {
  const { secretsEncrypted: sealed, ...rest } = row;
  if (!sealed) return { ...rest, secrets: {} };
  try {
    return { ...rest, secrets: decryptSecrets(secretsKey(ctx.config), sealed) };
  } catch {
    // A changed or lost SECRETS_KEY: the integration stays listed and editable; what needs the secrets says so (secretsOf).
    ctx.logger.error({ integrationId: row.id }, 'integration secrets cannot be decrypted with this SECRETS_KEY');
    return { ...rest, secrets: null };
  }
}

const generations = new WeakMap<object, number>();

/**
 * Counts the integration changes (create, update, delete) made through this instance, per database
 * handle: what keeps integrations for a moment (a public API's credentials) compares it, so a change
 * made here applies at once; one made through another instance applies when the kept copy expires.
 */
export function integrationsGeneration(ctx: AppContext): number {
  return generations.get(ctx.db.client.config) ?? 0;
}

/** Counts a change of integrations (or their location links) made through this instance. */
export function noteIntegrationsChanged(ctx: AppContext): void {
  generations.set(ctx.db.client.config, integrationsGeneration(ctx) + 1);
}

export async function getIntegration(ctx: AppContext, id: number): Promise<Integration | null> {
  const row = await getIntegrationRow(ctx.db, id);
  return row ? open(ctx, row) : null;
}

export async function getIntegrationOrThrow(ctx: AppContext, id: number): Promise<Integration> {
  const integration = await getIntegration(ctx, id);
  if (!integration) throw AppError.notFound(`There is no integration ${id}`);
  return integration;
}

export async function listIntegrations(ctx: AppContext): Promise<Integration[]> {
  return (await listIntegrationRows(ctx.db)).map((row) => open(ctx, row));
}

export async function listActiveIntegrations(ctx: AppContext, type?: string): Promise<Integration[]> {
  return (await listIntegrationRows(ctx.db, { type, active: true })).map((row) => open(ctx, row));
}

export async function setCredentialsStatus(ctx: AppContext, id: number, status: 'ok' | 'failing', detail: string | null): Promise<void> {
  await setCredentialsStatusRow(ctx.db, id, status, detail, ctx.now());
}

/** Where the remote system delivers this integration's webhooks (without a URL token). */
export function webhookUrlOf(ctx: AppContext, integration: Integration, publicBaseUrl = ctx.config.PUBLIC_BASE_URL ?? ''): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/v1/webhooks/${definitionOf(integration.type).webhook!.path}/${integration.id}`;
}

/**
 * What staff see: secrets are write-only ("set"); a webhook URL that carries its token is shown, to be
 * pasted into the remote system, and so are the URL of the public API the integration serves and the
 * ids the remote system's support asks for.
 */
export function toApi(ctx: AppContext, integration: Integration) {
  const { secrets, ...rest } = integration;
  const webhookToken = (secrets as { webhookToken?: string } | null)?.webhookToken;
  const { webhook, publicApi, sharedIds } = definitionOf(integration.type);
  return {
    ...rest,
    ...(sharedIds ? { sharedIds: sharedIds(integration.config) } : {}),
    ...(publicApi && (publicApi.servedBy?.(integration.config) ?? true)
      ? { publicApiUrl: `${(ctx.config.PUBLIC_BASE_URL ?? '').replace(/\/+$/, '')}${publicApi.basePath}` }
      : {}),
    secrets: secrets === null ? 'unreadable' : Object.fromEntries(Object.keys(secrets).filter((k) => k !== 'webhookToken').map((k) => [k, 'set'])),
    ...(webhook && (webhook.authentication === 'handler' || webhookToken)
      ? { webhookUrl: `${webhookUrlOf(ctx, integration)}${webhook.authentication === 'urlToken' ? `?token=${webhookToken}` : ''}` }
      : {}),
  };
}

/**
 * The integrations as staff see them (toApi), each with `nextRunAt`: when its next scheduled job is
 * due (null when the type schedules nothing, the config switches it off, or the integration is inactive).
 */
export async function withNextRun(ctx: AppContext, integrations: Integration[]) {
  const due = await nextDueAt(ctx.db, integrations.map((i) => i.id));
  const now = ctx.now();
  return integrations.map((integration) => {
    const scheduled = integration.active ? definitionOf(integration.type).jobs.filter((j) => j.everyMinutes?.(integration.config) != null) : [];
    const times = scheduled.map((j) => due.get(`${integration.id}:${j.kind}`) ?? now).map((d) => (d.getTime() < now.getTime() ? now : d));
    const next = times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
    return { ...toApi(ctx, integration), nextRunAt: next?.toISOString() ?? null };
  });
}

/** Validates config and secrets by the type's schemas and identity references, listing every problem. */
async function validate(ctx: AppContext, type: string, config: unknown, secrets: unknown, exceptId?: number) {
  const def = definitionOf(type);
  const errors: FieldProblem[] = [];
  const c = def.configSchema.safeParse(config ?? {});
  const s = def.secretsSchema.safeParse(secrets ?? {});
  if (!c.success) errors.push(...c.error.issues.map((i) => ({ path: ['config', ...i.path.map(String)].join('.'), message: i.message })));
  if (!s.success) errors.push(...s.error.issues.map((i) => ({ path: ['secrets', ...i.path.map(String)].join('.'), message: i.message })));
  if (c.success) {
    for (const field of def.identityTypeFields) {
      // A dotted path reaches into nested config; a field the config leaves out names nothing to check.
      const id = field.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], c.data) as number | undefined;
      if (id === undefined) continue;
      const identityType = await getIdentityType(ctx.db, id);
      // Any kind will do (the guide uses "Third-party ID"), as long as it names one remote account per client.
      if (!identityType) errors.push({ path: `config.${field}`, message: `unknown identity type ${id}` });
      else if (!identityType.active) errors.push({ path: `config.${field}`, message: `identity type ${id} (${identityType.name}) is inactive` });
      else if (identityType.maxPerClient !== 1) {
        errors.push({ path: `config.${field}`, message: `identity type ${id} (${identityType.name}) allows ${identityType.maxPerClient} values per client; it must allow one` });
      }
    }
  }
  if (errors.length) throw AppError.badRequest(`The ${type} integration has ${errors.length} problem(s)`, errors);
  if (def.remoteKey) {
    const remote = def.remoteKey(c.data);
    const clash = (await listIntegrationRows(ctx.db, { type })).find((i) => i.id !== exceptId && def.remoteKey!(i.config) === remote);
    if (clash) {
      throw AppError.conflict(`Integration ${clash.id} (${clash.name}) already connects to ${remote}: two ${def.title} integrations of one system would sync every member twice`, 'remoteTaken');
    }
  }
  return { config: c.data as object, secrets: s.data as Record<string, unknown> };
}

/** The remote system cannot sign its webhook calls: the URL it calls carries this secret token. */
function webhookTokenFor(type: string, kept: unknown): { webhookToken?: string } {
  if (definitionOf(type).webhook?.authentication !== 'urlToken') return {};
  return { webhookToken: typeof kept === 'string' ? kept : randomBytes(24).toString('base64url') };
}

export async function createIntegration(
  ctx: AppContext,
  input: { type: string; name: string; active: boolean; config: unknown; secrets: unknown },
): Promise<Integration> {
  const { config, secrets } = await validate(ctx, input.type, input.config, input.secrets);
  const sealed = { ...secrets, ...webhookTokenFor(input.type, undefined) };
  const id = await insertIntegration(
    ctx.db,
    { type: input.type, name: input.name, active: input.active, config, secretsEncrypted: encryptSecrets(secretsKey(ctx.config), sealed) },
    ctx.now(),
  );
  await claimLinksFor(ctx, { id, type: input.type });
  noteIntegrationsChanged(ctx);
  return (await getIntegration(ctx, id))!;
}

/** config is merged into the stored one and validated whole; secrets given replace those keys only. */
export async function updateIntegration(
  ctx: AppContext,
  id: number,
  patch: { name?: string; active?: boolean; config?: Record<string, unknown>; secrets?: Record<string, unknown> },
): Promise<Integration> {
  const current = await getIntegrationOrThrow(ctx, id);
  const { webhookToken: keptToken, ...currentSecrets } = (current.secrets ?? {}) as Record<string, unknown>;
  const { config, secrets } = await validate(ctx, current.type, { ...current.config, ...patch.config }, { ...currentSecrets, ...patch.secrets }, id);
  // Secrets this SECRETS_KEY cannot decrypt are replaced by the ones given; a token-in-URL webhook then gets a new URL.
  const sealed = { ...secrets, ...webhookTokenFor(current.type, keptToken) };
  await updateIntegrationRow(
    ctx.db,
    id,
    { name: patch.name, active: patch.active, config, secretsEncrypted: encryptSecrets(secretsKey(ctx.config), sealed) },
    ctx.now(),
  );
  noteIntegrationsChanged(ctx);
  return (await getIntegration(ctx, id))!;
}

export async function deleteIntegration(ctx: AppContext, id: number): Promise<void> {
  await getIntegrationOrThrow(ctx, id);
  const running = await findActiveRun(ctx.db, id);
  if (running) throw AppError.conflict(`Integration ${id} has a sync run in progress (run ${running.id}); deactivate it or wait, then delete`);
  await deleteIntegrationRow(ctx.db, id);
  noteIntegrationsChanged(ctx);
}

export async function testIntegration(ctx: AppContext, id: number): Promise<{ ok: boolean; detail: string }> {
  const integration = await getIntegrationOrThrow(ctx, id);
  const result = await definitionOf(integration.type).test(ctx, integration);
  await setCredentialsStatus(ctx, id, result.ok ? 'ok' : 'failing', result.ok ? null : result.detail);
  return result;
}

export function checkWebhookToken(integration: Integration, token: string | undefined): void {
  const expected = secretsOf(integration as Integration<unknown, { webhookToken?: string }>).webhookToken;
  if (!expected || !token || !sameSecret(token, expected)) {
    throw AppError.unauthorized('The webhook token is missing or wrong: copy the webhookUrl shown for this integration');
  }
}

export async function getRunOrThrow(ctx: AppContext, runId: number): Promise<SyncRun> {
  const run = await getRun(ctx.db, runId);
  if (!run) throw AppError.notFound(`There is no sync run ${runId}`);
  return run;
}

export async function listRuns(ctx: AppContext, integrationId: number, cursor: number, limit: number) {
  await getIntegrationOrThrow(ctx, integrationId);
  return toPage(await listRunsPage(ctx.db, integrationId, cursor, limit), limit);
}


/**
 * What a form needs to create or edit an integration of each registered type: its schemas as JSON
 * Schema of what a manager types (`io: 'input'`: defaults optional, before transforms), so a new
 * type appears in the console without console work.
 */
export function describeIntegrationTypes() {
  const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return integrationTypes().map((d) => ({
    type: d.type,
    title: d.title,
    configSchema: jsonSchema(d.configSchema),
    secretsSchema: jsonSchema(d.secretsSchema),
    locationLink: d.locationLink ? { externalIdSchema: jsonSchema(d.locationLink.externalIdSchema) } : null,
    jobs: d.jobs.map((j) => ({ kind: j.kind, manual: j.manual })),
  }));
}
