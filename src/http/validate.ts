import { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses input against a zod schema; a failure lists every invalid field as a 400. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw AppError.badRequest(
    `The ${what} has ${result.error.issues.length} invalid field(s)`,
    result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  );
}

/** `:id` path parameters: a positive integer, else a 400 naming the field. */
export const idParams = z.object({ id: z.coerce.number().int().positive() });

// Both databases store these safely, and no club schedules or contracts outside them.
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(3000, 0, 1);

/** An ISO 8601 date-time with offset (`2030-01-01T18:00:00Z`, `...+02:00`), as a Date in 1900-2999. */
export const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() >= EARLIEST && d.getTime() < LATEST, { message: 'must be between 1900-01-01 and 2999-12-31 (UTC)' });
