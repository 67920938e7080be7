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
});

export const egymBmaSecretsSchema = z.strictObject({
  hs256Secret: z.string().min(16).max(1000).optional(),
});

export type EgymBmaConfig = z.infer<typeof egymBmaConfigSchema>;
export type EgymBmaSecrets = z.infer<typeof egymBmaSecretsSchema>;
