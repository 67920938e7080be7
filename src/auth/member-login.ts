import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import { findClientsByLogin } from '../clients/repository.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { SignInMethod } from './sessions.js';

export interface MemberCredentials {
  login: string;
  password: string;
}

export interface SignedInMember {
  clientId: number;
  method: SignInMethod;
}

/**
 * One way of checking a member's login and password. Resolves null when it does not know
 * the member or the password is wrong (the chain goes on); rejects only when it cannot tell
 * (its remote side is down), with an AppError saying so.
 */
export type CredentialsVerifier = (ctx: AppContext, credentials: MemberCredentials) => Promise<SignedInMember | null>;

let dummyHash: Promise<string> | undefined;

/** The client's own clubcore password. Several clients may share an e-mail: any of them may match. */
export const localPassword: CredentialsVerifier = async (ctx, { login, password }) => {
  const candidates = (await findClientsByLogin(ctx.db, login)).filter((c) => c.passwordHash && c.status === 'active');
  if (!candidates.length) {
    // Spend the same time as a real check, so timing does not tell which logins exist.
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(await dummyHash, password);
    return null;
  }
  for (const client of candidates) {
    if (await verifyPassword(client.passwordHash!, password)) return { clientId: client.id, method: 'password' };
  }
  return null;
};

/**
 * Runs the verifiers as a passport strategy chain: the first success wins; a miss is a
 * passport failure (`fail`), so the chain goes on; only an infrastructure failure is an error.
 * If every verifier missed but one of them could not answer, the caller hears about the outage (503)
 * rather than a misleading "wrong password".
 */
export async function authenticateMember(
  ctx: AppContext,
  verifiers: [string, CredentialsVerifier][],
  credentials: MemberCredentials,
  req: Request,
  res: Response,
): Promise<SignedInMember> {
  const passport = new Passport();
  const outages: AppError[] = [];
  for (const [name, verify] of verifiers) {
    passport.use(
      name,
      new CustomStrategy((_req, done) => {
        // passport-custom does not catch rejections: every outcome goes through done/fail here.
        verify(ctx, credentials).then(
          (member) => (member ? done(null, member) : done(null, false)),
          (err) => {
            if (err instanceof AppError && err.status === 503) {
              outages.push(err);
              done(null, false);
            } else {
              done(err);
            }
          },
        );
      }),
    );
  }
  return new Promise<SignedInMember>((resolve, reject) => {
    passport.authenticate(verifiers.map(([name]) => name), { session: false }, (err: unknown, member: SignedInMember | false) => {
      if (err) return reject(err);
      if (member) return resolve(member);
      reject(outages[0] ?? AppError.unauthorized('Wrong login or password'));
    })(req, res, (err: unknown) => reject(err));
  });
}
