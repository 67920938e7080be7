import { z } from 'zod';

/**
 * `egym_bma`: how EGYM app tokens are verified and mapped onto clients (EGYM.md section 1).
 * The HS256 shared secret is a secret (encrypted at rest, write-only); a public key or a JWKS URL is config.
 */
export const egymBmaConfigSchema = z.strictObject({
  verification: z
    .strictObject({
      kind: z.enum(['hs256', 'publicKey', 'jwks']),
      publicKeyPem: z.string().max(10_000).optional(),
      jwksUrl: z.url().max(500).optional(),
    })
    .superRefine((v, c) => {
      if (v.kind === 'publicKey' && !v.publicKeyPem) c.addIssue({ code: 'custom', path: ['publicKeyPem'], message: 'required when kind is publicKey' });
      if (v.kind === 'jwks' && !v.jwksUrl) c.addIssue({ code: 'custom', path: ['jwksUrl'], message: 'required when kind is jwks' });
    }),
  issuer: z.string().max(500).optional(),
  audience: z.string().max(500).optional(),
  membershipIdPrefix: z.string().max(100).optional(),
  bmaUserIdentityTypeId: z.number().int().positive(),
  memberIdentityTypeId: z.number().int().positive(),
  /**
   * EGYM's canonical GroupX classes API served by clubcore (EGYM.md section 2): EGYM calls it with
   * X-Client-ID = clientId and X-Client-Secret = secrets.groupxClientSecret, and (locationHeader)
   * X-Location-ID = the EGYM location id of a linked location. null or absent: not served.
   */
  groupx: z
    .strictObject({
      clientId: z.string().trim().min(1).max(200),
      locationHeader: z.boolean().default(true),
    })
    .nullable()
    .optional(),
});

export const egymBmaSecretsSchema = z.strictObject({
  hs256Secret: z.string().min(16).max(1000).optional(),
  /** What EGYM sends as X-Client-Secret to the GroupX classes API (at most 1024 characters, as the contract allows). */
  groupxClientSecret: z.string().min(16).max(1024).optional(),
});

export type EgymBmaConfig = z.infer<typeof egymBmaConfigSchema>;
export type EgymBmaSecrets = z.infer<typeof egymBmaSecretsSchema>;
