import { z } from 'zod';
import { AppError } from '../errors.js';

/** `limit` (default 50, max 500) and an opaque `cursor`, as every list in API.md takes. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset cursors: the last id seen, base64url so clients treat it as opaque. */
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const id = /^\d+$/.test(decoded) ? Number(decoded) : NaN;
  if (!Number.isInteger(id) || id < 0) throw AppError.badRequest('cursor is not one this server issued', [{ path: 'cursor', message: 'invalid cursor' }]);
  return id;
}

/** Repositories fetch `limit + 1` rows ordered by id; this cuts the page and makes the next cursor. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more ? Buffer.from(String(items[items.length - 1]!.id)).toString('base64url') : null };
}
