import type { Request, Router } from 'express';
import type { z } from 'zod';
import type { CredentialsVerifier } from '../auth/member-login.js';
import type { AppContext } from '../context.js';
import type { StaffRole } from '../http/auth.js';
import type { RunKind } from '../jobs/types.js';
import type { OutboxConsumerSpec } from '../outbox/drainers.js';
import type { Integration, IntegrationRun } from './types.js';

/**
 * Everything the generic code (integrations service and routes, auth, the job worker and
 * scheduler) needs to know about one integration type. A type is one folder exporting one of
 * these, registered with one line in registry.ts.
 */
export interface IntegrationTypeDefinition {
  /** The `type` of its integrations, e.g. "perfect_gym". */
  type: string;
  /** What managers call it. */
  title: string;
  configSchema: z.ZodType;
  secretsSchema: z.ZodType;
  /** Config fields (dotted paths for nested ones) that, when present, must name an active identity type allowing one value per client. */
  identityTypeFields: string[];
  /**
   * The remote system (account, tenant) an integration of this type connects to, from its config:
   * two integrations of one type may not connect to the same one (their syncs would duplicate data).
   */
  remoteKey?(config: unknown): string;
  /** What a location carries for this type (a remote club or location id). */
  locationLink?: LocationLinkDefinition;
  /** Ids from the config that the remote system's support asks for, shown to staff ready to copy. */
  sharedIds?(config: unknown): { label: string; value: string; hint?: string }[];
  jobs: JobDefinition[];
  /** A real call to the remote side, reported in words a manager can act on. */
  test(ctx: AppContext, integration: Integration): Promise<{ ok: boolean; detail: string }>;
  /** Outbox consumers this integration keeps drained (e.g. one per location key): changes it sends out. */
  outboxConsumers?(ctx: AppContext, integration: Integration): Promise<OutboxConsumerSpec[]>;
  /** Calls from the remote system: POST /api/v1/webhooks/<path>/:integrationId. */
  webhook?: WebhookDefinition;
  /** Type-specific admin routes under /api/v1/admin/integrations/:id/<name>. */
  adminActions?: AdminAction[];
  /**
   * The remote system owns members: one not synced yet can be fetched by its id (the value of the
   * identity type `identityTypeId` names), e.g. when another integration's token names them.
   */
  memberSource?: {
    identityTypeId(config: unknown): number;
    importMember(ctx: AppContext, integration: Integration, memberId: string): Promise<number | null>;
  };
  /** Member sign-in with a login and password held by the remote system (the password chain). */
  passwordSignIn?(integration: Integration): CredentialsVerifier;
  /** Member sign-in with a token the remote side issued: POST /api/v1/auth/<path>. */
  tokenSignIn?: TokenSignInDefinition;
  /**
   * An API in the remote system's own shape that the remote system calls (e.g. EGYM's canonical
   * GroupX classes API), mounted at `basePath` outside /api/v1. The router authenticates its
   * callers and answers its own errors in its own shape (the problem+json handler never sees them).
   */
  publicApi?: PublicApiDefinition;
}

export interface PublicApiDefinition {
  /** Where it is mounted, e.g. "/egym/groupx"; unique among types. */
  basePath: string;
  router(ctx: AppContext): Router;
  /** Whether an integration with this config serves it (its URL is shown on the integration then); default: always. */
  servedBy?(config: unknown): boolean;
}

export interface LocationLinkDefinition {
  /** Members of a location come from this type: a location may be linked to one integration of it only. */
  ownsMembers: boolean;
  /** The remote id as a manager types it (validated; stored as a string). */
  externalIdSchema: z.ZodType<string | number>;
  /** Per-location secrets (e.g. an API key per club), encrypted like the integration's. */
  secretsSchema?: z.ZodType;
  /** Checks a remote id with the remote system when a link is set (e.g. that the club exists); throws an AppError saying why not. */
  check?(ctx: AppContext, integration: Integration, externalId: string): Promise<void>;
  /** The field on locations that shows and sets this link (kept from before links were generic), and how it shows the stored id. */
  locationField?: { name: string; show(externalId: string): string | number };
}

export interface JobDefinition {
  kind: RunKind;
  /** Minutes between scheduled runs for this configuration; null when switched off. Absent: never scheduled. */
  everyMinutes?(config: unknown): number | null;
  /** Managers may start it with POST /:id/sync {job}. */
  manual: boolean;
  run(h: IntegrationRun): Promise<void>;
}

export interface WebhookDefinition {
  /** The URL segment after /api/v1/webhooks/. */
  path: string;
  /**
   * `urlToken`: the remote system cannot sign its calls, so the URL carries a secret token that
   * clubcore generates, shows once as the webhook URL, and checks before `handle` runs.
   * `handler`: `handle` authenticates the call itself (a header key, a body signature).
   */
  authentication: 'urlToken' | 'handler';
  handle(ctx: AppContext, integration: Integration, req: Request): Promise<{ status: number; body: unknown }>;
}

export interface AdminAction {
  method: 'get' | 'post';
  name: string;
  /** Roles that may call it (default: any staff). */
  roles?: StaffRole[];
  handle(ctx: AppContext, integration: Integration, req: Request): Promise<{ status: number; body: unknown }>;
}

export interface TokenSignInDefinition {
  /** The URL segment after /api/v1/auth/, and the session's sign-in method. */
  path: string;
  /**
   * The client a token belongs to, trying every active integration of the type; rejects with
   * the AppError a member should see. `locationId` is where the member opened the app, if known.
   */
  signIn(ctx: AppContext, integrations: Integration[], token: string): Promise<{ clientId: number; locationId: number | null }>;
}
