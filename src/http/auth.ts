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

/** Who a route admits, as the OpenAPI document tells it (read from the mounted guards). */
export type Access = { kind: 'staff'; roles: StaffRole[] } | { kind: 'member' };
export type Guard = RequestHandler & { readonly access: Access };

export function isGuard(handler: unknown): handler is Guard {
  return typeof handler === 'function' && 'access' in handler;
}

/** Staff token with one of the given roles (default: any staff role). */
export function requireStaff(ctx: AppContext, ...roles: StaffRole[]): Guard {
  const guard: RequestHandler = async (req, res, next) => {
    const principal = await authenticate(ctx, req);
    if (principal.kind !== 'staff') throw AppError.forbidden('This route is for staff accounts only');
    if (roles.length && !roles.includes(principal.role)) {
      throw AppError.forbidden(`This route needs the ${roles.join(' or ')} role`);
    }
    res.locals.principal = principal;
    next();
  };
  return Object.assign(guard, { access: { kind: 'staff', roles } as const });
}

/** A signed-in, active member (client). */
export function requireClient(ctx: AppContext): Guard {
  const guard: RequestHandler = async (req, res, next) => {
    const principal = await authenticate(ctx, req);
    if (principal.kind !== 'client') throw AppError.forbidden('This route is for member accounts only');
    res.locals.principal = principal;
    next();
  };
  return Object.assign(guard, { access: { kind: 'member' } as const });
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
