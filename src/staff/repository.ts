import { readBool, readDate, type Db } from '../db/knex.js';
import type { StaffRole } from '../http/auth.js';

export interface StaffUser {
  id: number;
  email: string;
  name: string;
  role: StaffRole;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface StaffFields {
  email: string;
  name: string;
  role: StaffRole;
  passwordHash: string;
  active: boolean;
}

type Row = Record<string, any>;

function toStaff(row: Row): StaffUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: readBool(row.active),
    createdAt: readDate(row.created_at).toISOString(),
    updatedAt: readDate(row.updated_at).toISOString(),
  };
}

function toRow(fields: Partial<StaffFields>): Row {
  const row: Row = {};
  if (fields.email !== undefined) row.email = fields.email;
  if (fields.name !== undefined) row.name = fields.name;
  if (fields.role !== undefined) row.role = fields.role;
  if (fields.passwordHash !== undefined) row.password_hash = fields.passwordHash;
  if (fields.active !== undefined) row.active = fields.active;
  return row;
}

export async function getStaffUser(db: Db, id: number): Promise<StaffUser | null> {
  const row = await db('staff_users').where({ id }).first();
  return row ? toStaff(row) : null;
}

/** Staff e-mails are stored lower-case, so an exact match is a case-insensitive one. */
export async function findStaffByEmail(db: Db, email: string): Promise<(StaffUser & { passwordHash: string }) | null> {
  const row = await db('staff_users').where({ email: email.toLowerCase() }).first();
  return row ? { ...toStaff(row), passwordHash: row.password_hash } : null;
}

export async function hasAnyStaff(db: Db): Promise<boolean> {
  return Boolean(await db('staff_users').first('id'));
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db('staff_users').where({ role: 'admin', active: true }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function listStaffPage(db: Db, afterId: number, limit: number): Promise<StaffUser[]> {
  return (await db('staff_users').where('id', '>', afterId).orderBy('id').limit(limit + 1)).map(toStaff);
}

export async function insertStaff(db: Db, fields: StaffFields, now: Date): Promise<number> {
  const [id] = await db('staff_users').insert({ ...toRow(fields), created_at: now, updated_at: now });
  return Number(id);
}

export async function updateStaffRow(db: Db, id: number, fields: Partial<StaffFields>, now: Date): Promise<void> {
  await db('staff_users').where({ id }).update({ ...toRow(fields), updated_at: now });
}
