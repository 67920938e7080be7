import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { createSession, deleteSessionsOf } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { StaffRole } from '../http/auth.js';
import { decodeCursor, toPage, type Page, type PageQuery } from '../http/paging.js';
import { parse } from '../http/validate.js';
import {
  countActiveAdmins,
  findStaffByEmail,
  getStaffUser,
  hasAnyStaff,
  insertStaff,
  listStaffPage,
  updateStaffRow,
  type StaffUser,
} from './repository.js';

export const STAFF_ROLES = ['admin', 'manager'] as const satisfies readonly StaffRole[];

export const staffFields = z.strictObject({
  email: z.email().max(191),
  password: z.string().min(8).max(200),
  name: z.string().trim().min(1).max(200),
  role: z.enum(STAFF_ROLES),
  active: z.boolean(),
});
export const staffCreateSchema = staffFields.extend({ active: z.boolean().optional() });
export type StaffInput = z.input<typeof staffCreateSchema>;

export async function createStaffUser(ctx: AppContext, input: StaffInput): Promise<StaffUser> {
  // Parsed here too: the CLI calls this with raw command-line values.
  const { password, active, ...fields } = parse(staffCreateSchema, input, 'staff user');
  const email = fields.email.toLowerCase();
  const clash = await findStaffByEmail(ctx.db, email);
  if (clash) throw AppError.conflict(`A staff user with e-mail ${email} already exists (id ${clash.id})`);
  const id = await insertStaff(
    ctx.db,
    { ...fields, email, active: active ?? true, passwordHash: await hashPassword(password) },
    ctx.now(),
  );
  return (await getStaffUser(ctx.db, id))!;
}

/**
 * Creates the first admin when there is no staff user yet (the fixed credentials in demo mode,
 * else admin@clubcore.local with a random password) and returns the credentials to print once;
 * null when staff exist. Two instances starting together: the e-mail's unique index lets one win.
 */
export async function ensureFirstAdmin(
  ctx: AppContext,
  fixed?: { email: string; password: string },
): Promise<{ email: string; password: string } | null> {
  if (await hasAnyStaff(ctx.db)) return null;
  const credentials = fixed ?? { email: 'admin@clubcore.local', password: randomBytes(15).toString('base64url') };
  try {
    await createStaffUser(ctx, { ...credentials, name: 'Administrator', role: 'admin' });
  } catch (err) {
    if (await findStaffByEmail(ctx.db, credentials.email)) return null;
    throw err;
  }
  return credentials;
}

export async function listStaffUsers(ctx: AppContext, page: PageQuery): Promise<Page<StaffUser>> {
  return toPage(await listStaffPage(ctx.db, decodeCursor(page.cursor), page.limit), page.limit);
}

export async function getStaffOrThrow(ctx: AppContext, id: number): Promise<StaffUser> {
  const staff = await getStaffUser(ctx.db, id);
  if (!staff) throw AppError.notFound(`There is no staff user ${id}`);
  return staff;
}

/** Partial update; disabling, demoting or a new password signs the user out everywhere. */
export async function updateStaffUser(
  ctx: AppContext,
  id: number,
  patch: Partial<z.output<typeof staffFields>>,
): Promise<StaffUser> {
  const before = await getStaffOrThrow(ctx, id);
  const { password, ...fields } = patch;
  const email = fields.email?.toLowerCase();
  if (email !== undefined) {
    const clash = await findStaffByEmail(ctx.db, email);
    if (clash && clash.id !== id) throw AppError.conflict(`A staff user with e-mail ${email} already exists (id ${clash.id})`);
  }
  const losesAdmin = before.role === 'admin' && before.active && (fields.role === 'manager' || fields.active === false);
  if (losesAdmin && (await countActiveAdmins(ctx.db)) <= 1) {
    throw AppError.rule('lastAdmin', `Staff user ${id} is the last active admin; make another admin first`);
  }
  await updateStaffRow(
    ctx.db,
    id,
    { ...fields, ...(email !== undefined ? { email } : {}), ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}) },
    ctx.now(),
  );
  if (password !== undefined || losesAdmin || fields.active === false) await deleteSessionsOf(ctx.db, { type: 'staff', id });
  return (await getStaffUser(ctx.db, id))!;
}

let dummyHash: Promise<string> | undefined;

/** Signs a staff user in; wrong e-mail, wrong password and disabled account all get the same 401. */
export async function staffLogin(
  ctx: AppContext,
  email: string,
  password: string,
): Promise<{ token: string; expiresAt: string; staff: Pick<StaffUser, 'id' | 'email' | 'name' | 'role'> }> {
  const staff = await findStaffByEmail(ctx.db, email);
  // Verify against a dummy hash when the e-mail is unknown, so timing does not tell which e-mails exist.
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const ok = await verifyPassword(staff?.passwordHash ?? (await dummyHash), password);
  if (!staff || !ok || !staff.active) throw AppError.unauthorized('Wrong e-mail or password, or the account is disabled');
  const session = await createSession(ctx, { type: 'staff', id: staff.id }, 'staff_password');
  return { ...session, staff: { id: staff.id, email: staff.email, name: staff.name, role: staff.role } };
}

/** Sets a staff user's password, a random one when none is given, and signs them out everywhere (the CLI's reset). */
export async function resetStaffPassword(
  ctx: AppContext,
  email: string,
  password?: string,
): Promise<{ staff: StaffUser; password: string }> {
  const chosen =
    password === undefined
      ? randomBytes(15).toString('base64url')
      : parse(staffFields.pick({ password: true }), { password }, 'new password').password;
  const staff = await findStaffByEmail(ctx.db, email);
  if (!staff) throw AppError.notFound(`There is no staff user with e-mail ${email.toLowerCase()}`);
  return { staff: await updateStaffUser(ctx, staff.id, { password: chosen }), password: chosen };
}
