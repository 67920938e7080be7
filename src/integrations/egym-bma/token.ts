import { createPublicKey } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { secretsOf } from '../secrets.js';
import type { Integration } from '../types.js';
import type { EgymBmaConfig, EgymBmaSecrets } from './config.js';

// Ids may come as numbers from some membership systems; clubcore reads them as strings.
const idClaim = z.union([z.string().trim().min(1).max(191), z.number().int().nonnegative().transform(String)]);

/** Claims of the EGYM app's member token that clubcore reads; a signed token is still checked for their shapes. */
const claimsSchema = z.looseObject({
  sub: z.string().trim().min(1).max(191).optional(),
  membershipId: idClaim.optional(),
  email: z.string().trim().min(3).max(255).optional(),
  externalGymId: idClaim.optional(),
});
export type EgymClaims = z.output<typeof claimsSchema>;

// One key set per JWKS URL: jose caches the keys and refetches when a token names an unknown kid.
const jwksByUrl = new Map<string, JWTVerifyGetKey>();

function keyFor(integration: Integration): { key: Parameters<typeof jwtVerify>[1]; algorithms: string[] } {
  const config = integration.config as unknown as EgymBmaConfig;
  const v = config.verification;
  if (v.kind === 'hs256') {
    const secret = (secretsOf(integration) as EgymBmaSecrets).hs256Secret;
    if (!secret) throw AppError.unavailable(`EGYM integration ${integration.id} has no HS256 secret configured`);
    return { key: new TextEncoder().encode(secret), algorithms: ['HS256'] };
  }
  if (v.kind === 'publicKey') {
    const key = createPublicKey(v.publicKeyPem!);
    return { key, algorithms: [key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256'] };
  }
  let jwks = jwksByUrl.get(v.jwksUrl!);
  if (!jwks) jwksByUrl.set(v.jwksUrl!, (jwks = createRemoteJWKSet(new URL(v.jwksUrl!))));
  return { key: jwks, algorithms: ['RS256', 'ES256'] };
}

/** Why a token was refused, in words the app team can act on. */
function reason(err: unknown, algorithms: string[], config: EgymBmaConfig): string {
  if (err instanceof errors.JWTExpired) return `The token expired at ${new Date(Number(err.payload.exp) * 1000).toISOString()}; ask the EGYM app for a fresh one`;
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return `The token's algorithm is not accepted: this integration expects ${algorithms.join(' or ')} (alg "none" is never accepted)`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The signature does not verify with the configured key';
  if (err instanceof errors.JWKSNoMatchingKey) return 'No key in the configured JWKS matches the token (kid)';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return `Audience mismatch: expected ${config.audience}`;
    if (err.claim === 'iss') return `Issuer mismatch: expected ${config.issuer}`;
    return `The token's ${err.claim} claim is not valid: ${err.message}`;
  }
  if (err instanceof errors.JOSEError) return `The token is not a valid signed JWT: ${err.message}`;
  return `The token could not be verified: ${(err as Error).message}`;
}

/** Verifies a token against one egym_bma integration; 401 with the reason when it does not verify. */
export async function verifyEgymToken(integration: Integration, token: string): Promise<EgymClaims> {
  const config = integration.config as unknown as EgymBmaConfig;
  const { key, algorithms } = keyFor(integration);
  try {
    const { payload } = await jwtVerify(token, key as never, {
      algorithms,
      clockTolerance: 30,
      requiredClaims: ['exp'],
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const problems = claims.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
      throw AppError.unauthorized(`The token is signed but its claims are not usable: ${problems}`, 'tokenInvalid');
    }
    return claims.data;
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof errors.JWKSTimeout || (err as { code?: string }).code === 'ECONNREFUSED') {
      throw AppError.unavailable('The EGYM key set (JWKS) cannot be fetched right now; try again shortly');
    }
    // The app asks its host for a fresh token on tokenExpired; tokenInvalid will not get better by asking.
    throw AppError.unauthorized(reason(err, algorithms, config), err instanceof errors.JWTExpired ? 'tokenExpired' : 'tokenInvalid');
  }
}
