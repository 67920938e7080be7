/**
 * The request bodies of the spec (MemberAccountDTO, PatchMemberAccountDTO, UserPresenceDTO,
 * WebhookRequestDTO) and the list's query parameters, checked the way EGYM's server does: a 400
 * with `fieldErrors` for every bad field, unknown fields ignored, a null field taken as absent.
 */
import { z } from 'zod';
import { MmsError, type FieldError } from './errors.js';

export const MEMBERSHIP_TYPES = ['BASIC', 'PREMIUM', 'PROSPECT', 'CORPORATE_FITNESS'] as const;
export const GENDERS = ['MALE', 'FEMALE', 'NON_BINARY'] as const;

const date = z.iso.date({ error: 'must be a date yyyy-MM-dd' });

const contact = z.object({
  phone: z.string().optional(),
  street: z.string().optional(),
  streetNumber: z.string().optional(),
  zipCode: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  country: z.string().optional(),
});

const membershipFields = {
  agreementNumber: z.string().optional(),
  membershipSubType: z.string().max(128).optional(),
  endOfContract: date.optional(),
  referringMemberId: z.string().optional(),
  barcode: z.string().optional(),
  verificationTAN: z.string().optional(),
};

const membership = z.object({
  membershipId: z.string().min(1),
  membershipType: z.enum(MEMBERSHIP_TYPES),
  startOfContract: date,
  ...membershipFields,
});

const account = z.object({
  email: z.string().min(1),
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  dateOfBirth: date.optional(),
  gender: z.enum(GENDERS),
  contact: contact.optional(),
  membership,
});

const accountPatch = z.object({
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  dateOfBirth: date.optional(),
  gender: z.enum(GENDERS).optional(),
  contact: contact.optional(),
  membership: z
    .object({
      membershipId: z.string().optional(),
      membershipType: z.enum(MEMBERSHIP_TYPES).optional(),
      startOfContract: date.optional(),
      ...membershipFields,
    })
    .optional(),
});

const presence = z.object({ timestamp: z.int().nonnegative().optional() });

const webhook = z.object({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1) });

export type Contact = z.infer<typeof contact>;
export type Membership = z.infer<typeof membership>;
export type AccountInput = z.infer<typeof account>;
export type AccountPatch = z.infer<typeof accountPatch>;
export type WebhookInput = z.infer<typeof webhook>;

export const parseAccount = (body: unknown): AccountInput => parse(account, required(body));
export const parseAccountPatch = (body: unknown): AccountPatch => parse(accountPatch, required(body));
export const parsePresence = (body: unknown): { timestamp?: number } => parse(presence, required(body));
export const parseWebhook = (body: unknown): WebhookInput => parse(webhook, required(body));

/** Query parameters arrive as text (or lists, when repeated: refused). */
const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');
const whole = z.string().regex(/^\d+$/, 'must be a whole number of 0 or more').transform(Number);
const dateTime = z.iso.datetime({ offset: true, error: 'must be a date-time like 2022-09-22T14:19:26.303Z' }).transform((v) => Date.parse(v));

const listQuery = z.object({
  currentGymOnly: flag.default(true),
  fromTimestamp: dateTime.optional(),
  toTimestamp: dateTime.optional(),
  offset: whole.default(0),
  limit: whole.pipe(z.number().max(100, 'must be at most 100')).default(10),
});

export const parseListQuery = (query: unknown) => parse(listQuery, query);
export const parseEraseQuery = (query: unknown) => parse(z.object({ eraseMemberData: flag.default(false) }), query);

/** Contract dates in order, and a TAN for corporate fitness: checked on the account as it will be stored. */
export function checkMembership(m: Membership) {
  if (m.endOfContract !== undefined && m.endOfContract < m.startOfContract) {
    throw MmsError.invalid('Validation failed', [{ name: 'membership.endOfContract', message: 'must be on or after startOfContract', rejectedValue: m.endOfContract }]);
  }
  if (m.membershipType === 'CORPORATE_FITNESS' && !m.verificationTAN) {
    throw MmsError.invalid('Validation failed', [{ name: 'membership.verificationTAN', message: 'is mandatory for CORPORATE_FITNESS memberships' }]);
  }
}

/** Spring's answer to a missing body of an operation whose body is required. */
function required(body: unknown): unknown {
  if (body === undefined) throw MmsError.invalid('Required request body is missing');
  return body;
}

function parse<T>(schema: z.ZodType<T, any>, value: unknown): T {
  const input = withoutNulls(value);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: FieldError[] = result.error.issues.map((issue) => {
    const rejectedValue = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
    return { name: issue.path.join('.') || 'body', message: issue.message, ...(rejectedValue === undefined ? {} : { rejectedValue }) };
  });
  throw MmsError.invalid('Validation failed', fieldErrors);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}
