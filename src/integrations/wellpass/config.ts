import { z } from 'zod';

/**
 * `wellpass`: EGYM Wellpass, a corporate-fitness aggregator (AGGREGATORS.md). Wellpass publishes no
 * API for booking systems; the wire format follows Wellhub's Booking API and lives in wire.ts only.
 * - companyUuid: the club operator's id that Wellpass support needs to switch the interface on.
 * - each location's link holds its venue UUID (the gym id in the API's paths).
 * - identityTypeId: the identity type holding a member's Wellpass id (one per client): bookings of
 *   someone with that id land on that client; unknown ids create a client once.
 */
export const wellpassConfigSchema = z.strictObject({
  baseUrl: z.url().max(500),
  companyUuid: z.uuid(),
  identityTypeId: z.number().int().positive(),
  /** The aggregator's product the classes are offered under ("EGYM Wellpass"). */
  productId: z.number().int().positive(),
  /** How far ahead sessions are published. */
  publishDays: z.number().int().min(1).max(60).default(14),
  /** The full reconcile that repairs drift (changes themselves go out within seconds). */
  reconcileEveryMinutes: z.number().int().min(5).max(1440).default(30),
  /** How long before the start a member may still cancel without a late-cancellation fee. */
  cancellableUntilMinutes: z.number().int().min(0).max(10_080).default(120),
});

export const wellpassSecretsSchema = z.strictObject({
  apiToken: z.string().min(1).max(500),
  webhookSecret: z.string().min(8).max(500),
});

export type WellpassConfig = z.infer<typeof wellpassConfigSchema>;
export type WellpassSecrets = z.infer<typeof wellpassSecretsSchema>;
