import type { Client, Gender } from '../../clients/repository.js';
import type { ClientPackage } from '../../packages/repository.js';
import type { MmsAccount } from './client.js';
import type { EgymMmsConfig, MembershipType } from './config.js';

const GENDER: Record<Gender, MmsAccount['gender']> = { male: 'MALE', female: 'FEMALE', other: 'NON_BINARY' };

/** EGYM dates are yyyy-MM-dd (dates kept as UTC days). */
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The account EGYM should hold for a client, or what is missing for EGYM to take one (EGYM requires
 * e-mail, names, gender and a membership with its start). The membership follows the client's
 * active packages: the first (by start) whose alt id is mapped gives the type (else BASIC), the
 * earliest start starts the contract (else the day the client was created), and the contract ends
 * with the latest end when every package has one.
 */
export function accountFor(client: Client, packages: ClientPackage[], membershipId: string, config: EgymMmsConfig): { account: MmsAccount } | { missing: string } {
  const missing = [!client.email && 'an e-mail', !client.gender && 'a gender', !client.firstName && 'a first name', !client.lastName && 'a last name'].filter(Boolean);
  if (missing.length) return { missing: missing.join(', ') };
  const byStart = [...packages].sort((a, b) => (a.startsAt?.getTime() ?? 0) - (b.startsAt?.getTime() ?? 0));
  const mapped = byStart.find((p) => p.altId && config.membershipTypes[p.altId]);
  const membershipType: MembershipType = mapped ? config.membershipTypes[mapped.altId!]! : 'BASIC';
  const starts = byStart.map((p) => p.startsAt).filter((d): d is Date => d !== null);
  const ends = packages.map((p) => p.endsAt);
  const account: MmsAccount = {
    email: client.email!,
    firstName: client.firstName,
    lastName: client.lastName,
    gender: GENDER[client.gender!],
    membership: { membershipId, membershipType, startOfContract: day(starts[0] ?? client.createdAt) },
  };
  if (client.birthDate) account.dateOfBirth = client.birthDate;
  if (client.phone) account.contact = { phone: client.phone };
  if (ends.length && ends.every((d) => d !== null)) account.membership.endOfContract = day(new Date(Math.max(...ends.map((d) => d!.getTime()))));
  return { account };
}

type Flat = Record<string, string>;
function flatten(account: Partial<MmsAccount>): Flat {
  const flat: Flat = {};
  for (const [key, value] of Object.entries(account)) {
    if (value && typeof value === 'object') for (const [inner, v] of Object.entries(value)) flat[`${key}.${inner}`] = String(v);
    else if (value !== undefined) flat[key] = String(value);
  }
  return flat;
}

/**
 * What to send to move EGYM's copy from `before` to `after`: nothing, a PATCH of the fields that
 * changed (EGYM changes only the fields given), or a PUT when a field was cleared (a PATCH cannot
 * clear one). Nested objects are patched as a whole where one of their fields changed.
 */
export function changesBetween(before: Partial<MmsAccount>, after: MmsAccount): { kind: 'none' } | { kind: 'patch'; changes: Partial<MmsAccount> } | { kind: 'put' } {
  const [was, now] = [flatten(before), flatten(after)];
  if (Object.keys(was).some((k) => k !== 'accountId' && !(k in now))) return { kind: 'put' };
  const changed = Object.keys(now).filter((k) => was[k] !== now[k]);
  if (!changed.length) return { kind: 'none' };
  const changes: Partial<MmsAccount> = {};
  for (const key of new Set(changed.map((k) => k.split('.')[0] as keyof MmsAccount))) (changes as Record<string, unknown>)[key] = after[key];
  return { kind: 'patch', changes };
}
