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
