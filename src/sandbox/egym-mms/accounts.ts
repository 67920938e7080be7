/**
 * The sandbox's member accounts, chain-wide: an account belongs to one chain, its membership to
 * one location of it. Erasing the membership (DELETE without eraseMemberData) keeps the profile
 * and its e-mail; erasing member data removes the account.
 */
import { createConflict, updateConflict, type ChainLookup } from './conflicts.js';
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

/** Lookups within one chain by the fields that must be unique there (e-mails in lower case). */
class ChainIndex implements ChainLookup {
  readonly membership = new Map<string, StoredAccount>();
  readonly email = new Map<string, StoredAccount>();
  readonly tan = new Map<string, StoredAccount>();
  byMembershipId = (id: string) => this.membership.get(id);
  byEmail = (email: string) => this.email.get(email.toLowerCase());
  byTan = (tan: string) => this.tan.get(tan);
}

/** The keys an account is indexed under, to take it out again when it changes. */
interface IndexedKeys {
  chainId: string;
  membershipId?: string;
  email: string;
  tan?: string;
}

export class AccountStore {
  private readonly accounts = new Map<string, StoredAccount>();
  // Generating 50,000 accounts checked each create against a copy of the whole chain (minutes); the
  // uniqueness rules only ever look an account up by these keys.
  private readonly chains = new Map<string, ChainIndex>();
  private readonly indexed = new Map<string, IndexedKeys>();
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

  private chain(chainId: string): ChainIndex {
    let index = this.chains.get(chainId);
    if (!index) this.chains.set(chainId, (index = new ChainIndex()));
    return index;
  }

  byMembershipId(chainId: string, membershipId: string): StoredAccount | undefined {
    return this.chain(chainId).byMembershipId(membershipId);
  }

  byEmail(chainId: string, email: string): StoredAccount | undefined {
    return this.chain(chainId).byEmail(email);
  }

  /** A new membership at `gymId`; throws the 409 of conflicts.ts, or merges into an erased profile. */
  create(chainId: string, gymId: string, input: AccountInput, updatedAt = this.now()): StoredAccount {
    checkMembership(input.membership);
    const outcome = createConflict(this.chain(chainId), input);
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
    this.unindex(account.accountId);
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
    this.chains.clear();
    this.indexed.clear();
    this.number = 0;
    this.version = 0;
    this.sorted = { version: -1, rows: [] };
  }

  private change(account: StoredAccount, fields: Partial<StoredAccount>): StoredAccount {
    const next = { ...account, ...fields };
    checkMembership(next.membership!);
    const conflict = updateConflict(this.chain(account.chainId), account.accountId, next);
    if (conflict) throw conflict;
    return this.write(Object.assign(account, fields));
  }

  private write(account: StoredAccount, updatedAt = this.now()): StoredAccount {
    account.updatedAt = updatedAt;
    account.version = ++this.version;
    this.accounts.set(account.accountId, account);
    this.unindex(account.accountId);
    const keys: IndexedKeys = { chainId: account.chainId, email: account.email.toLowerCase(), membershipId: account.membership?.membershipId, tan: account.membership?.verificationTAN };
    const index = this.chain(keys.chainId);
    index.email.set(keys.email, account);
    if (keys.membershipId !== undefined) index.membership.set(keys.membershipId, account);
    if (keys.tan) index.tan.set(keys.tan, account);
    this.indexed.set(account.accountId, keys);
    return account;
  }

  private unindex(accountId: string): void {
    const keys = this.indexed.get(accountId);
    if (!keys) return;
    const index = this.chain(keys.chainId);
    // Only entries that still point at this account: uniqueness means no other holds them, but be exact.
    if (index.email.get(keys.email)?.accountId === accountId) index.email.delete(keys.email);
    if (keys.membershipId !== undefined && index.membership.get(keys.membershipId)?.accountId === accountId) index.membership.delete(keys.membershipId);
    if (keys.tan && index.tan.get(keys.tan)?.accountId === accountId) index.tan.delete(keys.tan);
    this.indexed.delete(accountId);
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
