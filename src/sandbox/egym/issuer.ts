/**
 * A stand-in for the EGYM Branded Member App's token issuer, for the demo and tests: signs member
 * tokens with a local RS256 or ES256 key (published as a JWKS) or an HS256 shared secret.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export type EgymAlg = 'RS256' | 'ES256' | 'HS256';

export interface EgymIssuerOptions {
  port?: number;
  host?: string;
  /** Shared secret for HS256 tokens (default: a fixed demo secret). */
  hs256Secret?: string;
  issuer?: string;
  audience?: string;
}

export interface EgymIssuer {
  url: string;
  jwksUrl: string;
  hs256Secret: string;
  issuer: string;
  audience: string;
  /** PEM public key for RS256 or ES256 (for integrations configured with a key rather than the JWKS URL). */
  publicKeyPem(alg: 'RS256' | 'ES256'): string;
  sign(claims: JWTPayload, opts?: { alg?: EgymAlg; expiresInSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startEgymIssuer(opts: EgymIssuerOptions = {}): Promise<EgymIssuer> {
  const keys: Record<'RS256' | 'ES256', { privateKey: CryptoKey; publicKey: CryptoKey; pem: string; kid: string }> = {} as never;
  for (const alg of ['RS256', 'ES256'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true });
    keys[alg] = { ...pair, pem: await exportSPKI(pair.publicKey), kid: `${alg.toLowerCase()}-${Date.now()}` };
  }
  const hs256Secret = opts.hs256Secret ?? 'demo-egym-shared-secret-change-me';
  const issuer = opts.issuer ?? 'https://bma.egym.example';
  const audience = opts.audience ?? 'clubcore';

  async function sign(claims: JWTPayload, o: { alg?: EgymAlg; expiresInSeconds?: number } = {}) {
    const alg = o.alg ?? 'RS256';
    const jwt = new SignJWT(claims)
      .setProtectedHeader(alg === 'HS256' ? { alg } : { alg, kid: keys[alg].kid })
      .setIssuedAt()
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) + (o.expiresInSeconds ?? 3600));
    return jwt.sign(alg === 'HS256' ? new TextEncoder().encode(hs256Secret) : keys[alg].privateKey);
  }

  const app = express();
  app.use(express.json());
  app.get('/.well-known/jwks.json', async (_req, res) => {
    const jwks = await Promise.all((['RS256', 'ES256'] as const).map(async (alg) => ({ ...(await exportJWK(keys[alg].publicKey)), kid: keys[alg].kid, alg, use: 'sig' })));
    res.json({ keys: jwks });
  });
  // POST /token {sub, membershipId, email, ..., alg?, expiresInSeconds?} -> {token}
  app.post('/token', async (req, res) => {
    const { alg, expiresInSeconds, ...claims } = req.body ?? {};
    res.json({ token: await sign(claims, { alg, expiresInSeconds }) });
  });

  const server: Server = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const url = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    hs256Secret,
    issuer,
    audience,
    publicKeyPem: (alg) => keys[alg].pem,
    sign,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
