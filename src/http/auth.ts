import type { Request, RequestHandler, Response } from 'express';
import { findSessionPrincipal } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

export type StaffRole = 'admin' | 'manager';

export type Principal =
  | { kind: 'staff'; staffId: number; role: StaffRole }
  | { kind: 'client'; clientId: number; homeLocationId: number | null };

export function bearerToken(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

async function authenticate(ctx: AppContext, req: Request): Promise<Principal> {
  const token = bearerToken(req);
  if (!token) throw AppError.unauthorized('Sign in first: send Authorization: Bearer <token>');
  // Members' sessions come from a cache of at most a second (never staff's; revocations here drop
  // entries at once): the lever chosen over one round trip per request, see src/auth/sessions.ts.
  const found = await findSessionPrincipal(ctx.db, token, ctx.now());
  if (!found) throw AppError.unauthorized('The token is unknown or has expired; sign in again');
  if (found.type === 'staff') {
    if (!found.staffRole || !found.staffActive) throw AppError.unauthorized('This staff account is disabled');
    return { kind: 'staff', staffId: found.id, role: found.staffRole };
  }
  if (found.clientStatus !== 'active') throw AppError.unauthorized('This member account is not active');
  return { kind: 'client', clientId: found.id, homeLocationId: found.clientHomeLocationId };
}

/** Staff token with one of the given roles (default: any staff role). */
export function requireStaff(ctx: AppContext, ...roles: StaffRole[]): RequestHandler {
  return async (req, res, next) => {
    const principal = await authenticate(ctx, req);
    if (principal.kind !== 'staff') throw AppError.forbidden('This route is for staff accounts only');
    if (roles.length && !roles.includes(principal.role)) {
      throw AppError.forbidden(`This route needs the ${roles.join(' or ')} role`);
    }
    res.locals.principal = principal;
    next();
  };
}

/** A signed-in, active member (client). */
export function requireClient(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    const principal = await authenticate(ctx, req);
    if (principal.kind !== 'client') throw AppError.forbidden('This route is for member accounts only');
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

export function memberOf(res: Response): Extract<Principal, { kind: 'client' }> {
  const p = principalOf(res);
  if (p.kind !== 'client') throw AppError.forbidden('This route is for member accounts only');
  return p;
}

export function clientIdOf(res: Response): number {
  return memberOf(res).clientId;
}

/** Audit actor string for changes made on behalf of the caller. */
export function actorOf(res: Response): string {
  const p = principalOf(res);
  return p.kind === 'staff' ? `staff:${p.staffId}` : `client:${p.clientId}`;
}
