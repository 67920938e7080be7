/**
 * The request bodies of the sandbox's Wellhub-style API, checked the way a strict server would: a
 * 400 listing every invalid field (`validation.<path>` keys, e.g. `validation.classes.0.name`),
 * unknown fields ignored, null taken as absent for optional fields.
 */
import { z } from 'zod';
import { fieldError, WellpassError, type ErrorItem } from './errors.js';

export const REASON_CATEGORIES = [
  'CLASS_IS_FULL',
  'USER_IS_ALREADY_BOOKED',
  'CLASS_HAS_BEEN_CANCELED',
  'CLASS_NOT_FOUND',
  'CHECK_IN_AND_CANCELATION_WINDOWS_CLOSED',
  'PREREQUISITES',
  'TECHNICAL_ERROR',
] as const;
export type ReasonCategory = (typeof REASON_CATEGORIES)[number];

export const DECISIONS = ['RESERVED', 'REJECTED', 'CANCELLED_BY_GYM'] as const;
export type DecisionStatus = (typeof DECISIONS)[number];

const isoWithOffset = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-27T18:00:00+01:00' });
const count = z.int({ error: 'must be a whole number' }).nonnegative({ error: 'must be 0 or more' });

const classInput = z.object({
  name: z.string().min(1).max(255),
  description: z.string().trim().min(1, { error: 'must not be empty' }),
  notes: z.string().nullish(),
  bookable: z.boolean(),
  visible: z.boolean(),
  product_id: z.int(),
  reference: z.string().nullish(),
  categories: z.array(z.int()).nullish(),
});

const slotInput = z.object({
  occur_date: isoWithOffset,
  room: z.string().nullish(),
  status: z.union([z.literal(0), z.literal(1)], { error: 'must be 1 (active) or 0 (inactive)' }),
  length_in_minutes: z.int({ error: 'must be a whole number' }).positive({ error: 'must be more than 0' }),
  total_capacity: count,
  total_booked: count,
  product_id: z.int(),
  booking_window: z.object({ opens_at: isoWithOffset, closes_at: isoWithOffset }).nullish(),
  cancellable_until: isoWithOffset.nullish(),
  instructors: z.array(z.object({ name: z.string().min(1), substitute: z.boolean() })).nullish(),
  virtual: z.boolean().nullish(),
});

const slotPatch = z.object({ total_capacity: count.nullish(), total_booked: count.nullish() });

const decision = z.object({
  status: z.enum(DECISIONS),
  reason: z.string().nullish(),
  reason_category: z.enum(REASON_CATEGORIES).nullish(),
});

const user = z.object({ unique_token: z.string().min(1), name: z.string(), email: z.string() });

export type ClassInput = z.infer<typeof classInput>;
export type SlotInput = z.infer<typeof slotInput>;
export type SlotPatch = z.infer<typeof slotPatch>;
export type Decision = z.infer<typeof decision>;
export type WellpassUser = z.infer<typeof user>;
export interface BookingRequest {
  slot_id: number;
  user: WellpassUser;
}

export const parseClasses = (body: unknown) => parse(z.object({ classes: z.array(classInput).min(1) }), body).classes;
export const parseClass = (body: unknown) => parse(classInput, body);
export const parseSlot = (body: unknown) => parse(slotInput, body, bookedWithinCapacity(body));
export const parseSlotPatch = (body: unknown) => parse(slotPatch, body);
export const parseDecision = (body: unknown) => parse(decision, body, reasonForRejection(body));
export const parseValidation = (body: unknown) => parse(z.object({ gympass_id: z.string().min(1), custom_code: z.string().nullish() }), body);
export const parseBookingRequest = (body: unknown): BookingRequest => parse(z.object({ slot_id: z.int(), user }), body);
export const parseCancellation = (body: unknown) => parse(z.object({ late: z.boolean().nullish() }), body ?? {});

/** `?from=<ISO>&to=<ISO>` of a slot listing, as epoch ms (null: that end open). */
export function parseSlotRange(query: Record<string, unknown>): { from: number | null; to: number | null } {
  const range = parse(z.object({ from: isoWithOffset.optional(), to: isoWithOffset.optional() }), query);
  return { from: range.from ? Date.parse(range.from) : null, to: range.to ? Date.parse(range.to) : null };
}

/** A slot's own rule, checked next to the schema so that one answer lists every invalid field. */
function bookedWithinCapacity(body: unknown): ErrorItem[] {
  const { total_booked: booked, total_capacity: capacity } = (body ?? {}) as Record<string, unknown>;
  return Number.isInteger(booked) && Number.isInteger(capacity) && (booked as number) > (capacity as number) ? [fieldError('total_booked', 'must not exceed total_capacity')] : [];
}

function reasonForRejection(body: unknown): ErrorItem[] {
  const { status, reason_category } = (body ?? {}) as Record<string, unknown>;
  return status === 'REJECTED' && reason_category == null ? [fieldError('reason_category', 'is required when status is REJECTED')] : [];
}

function parse<T>(schema: z.ZodType<T, any>, body: unknown, extra: ErrorItem[] = []): T {
  if (body === undefined) throw WellpassError.field('body', 'is required (JSON)');
  const result = schema.safeParse(body);
  const errors = result.success ? [] : result.error.issues.map((issue) => fieldError(issue.path.join('.') || 'body', issue.message));
  if (errors.length || extra.length) throw WellpassError.invalid([...errors, ...extra]);
  return result.data!;
}
