import { z } from 'zod';

const schedule = z.strictObject({
  enabled: z.boolean().default(true),
  everyMinutes: z.number().int().min(1).max(24 * 60).default(10),
});

export const perfectGymConfigSchema = z.strictObject({
  baseUrl: z
    .url()
    .max(500)
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL such as https://yourclub.perfectgym.com')
    .transform((u) => u.replace(/\/+$/, '').replace(/\/Api$/i, '')),
  clientId: z.string().trim().min(1).max(200),
  /** The identity type that holds each client's Perfect Gym member id. */
  identityTypeId: z.number().int().positive(),
  syncMembers: schedule.prefault({}),
  syncSwipes: schedule.prefault({}),
});

export const perfectGymSecretsSchema = z.strictObject({
  clientSecret: z.string().min(1).max(500),
});

export type PerfectGymConfig = z.infer<typeof perfectGymConfigSchema>;
export type PerfectGymSecrets = z.infer<typeof perfectGymSecretsSchema> & { webhookToken?: string };
