import { z } from 'zod';

export const MEMBERSHIP_TYPES = ['BASIC', 'PREMIUM', 'PROSPECT', 'CORPORATE_FITNESS'] as const;
export type MembershipType = (typeof MEMBERSHIP_TYPES)[number];

/**
 * `egym_mms`: EGYM's MMS API v2 (EGYM.md section 3). One API key per gym location, stored on the
 * location's link (encrypted, write-only); the integration holds what is chain-wide.
 * - push: clubcore owns the members it sends (every client change and door event goes out).
 * - pull: EGYM's accounts come in on a schedule (a partner that does not own the members).
 * `membershipId` must never change for a member: the value of an identity type that never changes
 * (the Perfect Gym member id), or clubcore's own client id for members clubcore owns.
 */
export const egymMmsConfigSchema = z.strictObject({
  baseUrl: z.url().max(500),
  mode: z.enum(['push', 'pull']),
  /** The identity type that holds each client's EGYM accountId (one per client). */
  accountIdentityTypeId: z.number().int().positive(),
  membershipId: z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('identity'), identityTypeId: z.number().int().positive() }),
    z.strictObject({ source: z.literal('clientId') }),
  ]),
  /** Package alt id -> EGYM membershipType; unmapped packages count as BASIC. */
  membershipTypes: z.record(z.string().min(1).max(100), z.enum(MEMBERSHIP_TYPES)).default({}),
  /** Door access events become EGYM check-ins (and exits check-outs). */
  checkIns: z.boolean().default(true),
  pull: z.strictObject({
    everyMinutes: z.number().int().min(1).max(1440).default(10),
    /** How far each round reaches back before the last round's start: pages shift while read. */
    overlapMinutes: z.number().int().min(1).max(1440).default(5),
  }).default({ everyMinutes: 10, overlapMinutes: 5 }),
});

/** Per integration: the secret EGYM sends in x-api-key on webhook deliveries (set by register-webhook). */
export const egymMmsSecretsSchema = z.strictObject({
  webhookSecret: z.string().min(16).max(200).optional(),
});

/** Per location: the key EGYM issued for that gym location. */
export const egymMmsLinkSecretsSchema = z.strictObject({
  apiKey: z.string().min(1).max(500),
});

export type EgymMmsConfig = z.infer<typeof egymMmsConfigSchema>;
export type EgymMmsSecrets = z.infer<typeof egymMmsSecretsSchema>;
export type EgymMmsLinkSecrets = z.infer<typeof egymMmsLinkSecretsSchema>;
