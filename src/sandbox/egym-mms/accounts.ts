/**
 * The sandbox's member accounts, chain-wide: an account belongs to one chain, its membership to
 * one location of it. Erasing the membership (DELETE without eraseMemberData) keeps the profile
 * and its e-mail; erasing member data removes the account.
 */
import { createConflict, updateConflict } from './conflicts.js';
import { checkMembership, type AccountInput, type AccountPatch, type Contact, type Membership } from './dto.js';

export interface StoredAccount {
  accountId: string;
  /** Numbers accounts in creation order (the list's `nextAfterId`). */
  number: number;
  chainId: string;
  /** The location holding the membership. */
  gymId: string;
  email: string;
  firstName: string;
  lastName: string;
  dateOfBirth?: string;
  gender: AccountInput['gender'];
  contact?: Contact;
  /** Null once erased. */
  membership: Membership | null;
  /** Epoch ms of the last write: the list is ordered by it, newest first. */
  updatedAt: number;
  /** Orders writes within one millisecond. */
  version: number;
}

export interface ListQuery {
  chainId: string;
  /** Only this location's memberships (`currentGymOnly`), or the whole chain. */
  gymId: string | null;
  from: number | null;
  to: number | null;
  offset: number;
  limit: number;
}

export class AccountStore {
  private readonly accounts = new Map<string, StoredAccount>();
  private version = 0;
  private number = 0;
  private sorted: { version: number; rows: StoredAccount[] } = { version: -1, rows: [] };

  constructor(
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {}

  get(accountId: string): StoredAccount | undefined {
    return this.accounts.get(accountId);
  }

  all(): StoredAccount[] {
    return [...this.accounts.values()];
  }

  inChain(chainId: string): StoredAccount[] {
    return this.all().filter((a) => a.chainId === chainId);
  }

  byMembershipId(chainId: string, membershipId: string): StoredAccount | undefined {
    return this.inChain(chainId).find((a) => a.membership?.membershipId === membershipId);
  }

  byEmail(chainId: string, email: string): StoredAccount | undefined {
    return this.inChain(chainId).find((a) => a.email.toLowerCase() === email.toLowerCase());
  }

  /** A new membership at `gymId`; throws the 409 of conflicts.ts, or merges into an erased profile. */
  create(chainId: string, gymId: string, input: AccountInput, updatedAt = this.now()): StoredAccount {
    checkMembership(input.membership);
    const outcome = createConflict(this.inChain(chainId), input);
    if (outcome instanceof Error) throw outcome;
    const account: StoredAccount = Object.assign(outcome.mergeInto ?? { accountId: this.newId(), number: ++this.number, chainId, updatedAt, version: 0 }, { gymId, ...input });
    return this.write(account, updatedAt);
  }

  /** PUT: every field as given; optional ones left out are cleared, not kept. */
  replace(account: StoredAccount, input: AccountInput): StoredAccount {
    return this.change(account, { dateOfBirth: undefined, contact: undefined, ...input });
  }

  /** PATCH: only the fields given (nested ones field by field). */
  patch(account: StoredAccount, patch: AccountPatch): StoredAccount {
    const { contact, membership, ...top } = patch;
    return this.change(account, {
      ...top,
      ...(contact ? { contact: { ...account.contact, ...contact } } : {}),
      ...(membership ? { membership: { ...account.membership!, ...membership } } : {}),
    });
  }

  erase(account: StoredAccount, eraseMemberData: boolean) {
    if (!eraseMemberData) return void this.write(Object.assign(account, { membership: null }));
    this.accounts.delete(account.accountId);
    this.version++;
  }

  /** A page of the chain's accounts with a membership, newest write first. */
  page(q: ListQuery): { items: StoredAccount[]; total: number; hasNext: boolean; nextAfterId?: number } {
    const matching = this.newestFirst().filter(
      (a) => a.chainId === q.chainId && (q.gymId === null || a.gymId === q.gymId) && (q.from === null || a.updatedAt >= q.from) && (q.to === null || a.updatedAt <= q.to),
    );
    const items = matching.slice(q.offset, q.offset + q.limit);
    const hasNext = q.offset + items.length < matching.length;
    return { items, total: matching.length, hasNext, ...(hasNext && items.length ? { nextAfterId: items[items.length - 1]!.number } : {}) };
  }

  clear() {
    this.accounts.clear();
    this.number = 0;
    this.version = 0;
    this.sorted = { version: -1, rows: [] };
  }

  private change(account: StoredAccount, fields: Partial<StoredAccount>): StoredAccount {
    const next = { ...account, ...fields };
    checkMembership(next.membership!);
    const conflict = updateConflict(this.inChain(account.chainId), account.accountId, next);
    if (conflict) throw conflict;
    return this.write(Object.assign(account, fields));
  }

  private write(account: StoredAccount, updatedAt = this.now()): StoredAccount {
    account.updatedAt = updatedAt;
    account.version = ++this.version;
    this.accounts.set(account.accountId, account);
    return account;
  }

  private newestFirst(): StoredAccount[] {
    if (this.sorted.version !== this.version) {
      const rows = this.all().filter((a) => a.membership);
      rows.sort((a, b) => b.updatedAt - a.updatedAt || b.version - a.version);
      this.sorted = { version: this.version, rows };
    }
    return this.sorted.rows;
  }
}

/** An account as the API answers it (MemberAccountDTO): absent fields left out, never null. */
export function accountDto(a: StoredAccount) {
  return {
    accountId: a.accountId,
    email: a.email,
    firstName: a.firstName,
    lastName: a.lastName,
    ...(a.dateOfBirth === undefined ? {} : { dateOfBirth: a.dateOfBirth }),
    gender: a.gender,
    ...(a.contact === undefined ? {} : { contact: a.contact }),
    ...(a.membership ? { membership: a.membership } : {}),
  };
}
