/**
 * Which 409 a write gets. EGYM documents the codes but not a full decision procedure; this is the
 * sandbox's deterministic reading of its docs. The first rule that applies wins, and
 * `metadata.accountId` names the account clashed with (A or B). E-mails compare ignoring case.
 *
 * Creating an account (POST /accounts) with membership id M and e-mail E:
 *  1. M belongs to account A and E is A's e-mail: `generalConflict` (the member was pushed already,
 *     e.g. a create sent again after a lost answer; look it up by membership id).
 *  2. M belongs to A under another e-mail: `userEmailConflict`.
 *  3. E belongs to A, which has a membership: `membershipExists` (a new membership id with another
 *     member's e-mail: fix the e-mail, or delete the other profile after checking both are the
 *     same person).
 *  4. E belongs to A, whose membership was erased (DELETE without eraseMemberData keeps the
 *     profile), and first name, last name or date of birth differ: `forbiddenAccountMerge`. When
 *     they are all equal there is no conflict: the membership is attached to A (a merge).
 *  5. The membership's verificationTAN is another account's: `tanAssociatedWithAnotherAccount`.
 * Changing account X (PUT, PATCH):
 *  6. The new e-mail belongs to another account B: `userEmailUsedByAnotherAccountConflict`.
 *  7. The new membership id belongs to another account B: `generalConflict`.
 *  8. The verificationTAN is another account's: `tanAssociatedWithAnotherAccount`.
 */
import type { StoredAccount } from './accounts.js';
import type { AccountInput, Membership } from './dto.js';
import { MmsError } from './errors.js';

type Personal = Pick<StoredAccount, 'email' | 'firstName' | 'lastName' | 'dateOfBirth'> & { membership: Membership | null };

/** The chain's accounts by the fields that must be unique in it (e-mail compared ignoring case). */
export interface ChainLookup {
  byMembershipId(membershipId: string): StoredAccount | undefined;
  byEmail(email: string): StoredAccount | undefined;
  byTan(tan: string): StoredAccount | undefined;
}

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function clash(errorCode: string, message: string, with_: StoredAccount): MmsError {
  return MmsError.conflict(errorCode, message, { accountId: with_.accountId });
}

/** The conflict a create meets, or the erased profile it merges into (rule 4), or nothing. */
export function createConflict(chain: ChainLookup, input: AccountInput): MmsError | { mergeInto: StoredAccount | null } {
  const holder = chain.byMembershipId(input.membership.membershipId);
  if (holder && sameEmail(holder.email, input.email)) return clash('generalConflict', `An account with membershipId ${input.membership.membershipId} exists already`, holder);
  if (holder) return clash('userEmailConflict', `membershipId ${input.membership.membershipId} belongs to an account with another e-mail`, holder);
  const emailOwner = chain.byEmail(input.email);
  if (emailOwner?.membership) return clash('membershipExists', `The e-mail belongs to another member of the gym chain`, emailOwner);
  if (emailOwner && !samePerson(emailOwner, input)) return clash('forbiddenAccountMerge', 'The personal data clashes with an existing profile of the gym chain', emailOwner);
  const tanOwner = tanHolder(chain, input.membership, emailOwner?.accountId);
  if (tanOwner) return clash('tanAssociatedWithAnotherAccount', 'The verificationTAN belongs to another account', tanOwner);
  return { mergeInto: emailOwner ?? null };
}

/** The conflict a change of `accountId` to `next` meets, or null. */
export function updateConflict(chain: ChainLookup, accountId: string, next: Personal): MmsError | null {
  const other = (a: StoredAccount | undefined) => (a && a.accountId !== accountId ? a : undefined);
  const emailOwner = other(chain.byEmail(next.email));
  if (emailOwner) return clash('userEmailUsedByAnotherAccountConflict', 'The e-mail is used by another account of the gym chain', emailOwner);
  const holder = next.membership ? other(chain.byMembershipId(next.membership.membershipId)) : undefined;
  if (holder) return clash('generalConflict', `membershipId ${next.membership!.membershipId} belongs to another account`, holder);
  const tanOwner = next.membership && tanHolder(chain, next.membership, accountId);
  if (tanOwner) return clash('tanAssociatedWithAnotherAccount', 'The verificationTAN belongs to another account', tanOwner);
  return null;
}

function samePerson(a: StoredAccount, input: AccountInput): boolean {
  return sameName(a.firstName, input.firstName) && sameName(a.lastName, input.lastName) && a.dateOfBirth === input.dateOfBirth;
}

function tanHolder(chain: ChainLookup, membership: Membership, except?: string): StoredAccount | undefined {
  const holder = membership.verificationTAN ? chain.byTan(membership.verificationTAN) : undefined;
  return holder && holder.accountId !== except ? holder : undefined;
}
