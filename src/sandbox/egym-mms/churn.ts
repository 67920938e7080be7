/**
 * Churn: accounts that change while a client pages through `GET /accounts`. The list is ordered
 * newest write first and paged by offset, so after each page that has a next one, updated and
 * inserted accounts jump to the front (rows already served come again on the next page) and
 * erased memberships leave the list (a row not yet served slides back onto a page already read,
 * and is never served). Picks are seeded: the same seed and the same requests make the same changes.
 */
import { seededRandom } from '../perfect-gym/generator.js';
import type { StoredAccount } from './accounts.js';
import { MmsError } from './errors.js';

export interface ChurnSpec {
  /** Accounts updated after each page (default 0). */
  updatesPerPage?: number;
  /** Accounts created after each page, each like one listed (default 0). */
  insertsPerPage?: number;
  /** Memberships erased after each page, with their MEMBERSHIP_DELETE webhooks (default 0). */
  deletesPerPage?: number;
  /** Default 1. */
  seed?: number;
  /** Stop by itself after changing data after this many pages (default: until cleared). */
  pages?: number | null;
}

export interface ChurnStats {
  active: boolean;
  /** Pages after which data was changed. */
  pages: number;
  /** Account ids in the order they were changed. */
  updated: string[];
  inserted: string[];
  deleted: string[];
}

/** The writes churn makes, done by the sandbox as another membership system would make them. */
export interface ChurnActions {
  update(account: StoredAccount, n: number): void;
  insert(template: StoredAccount, n: number): StoredAccount;
  remove(account: StoredAccount): void;
}

const COUNTS = ['updatesPerPage', 'insertsPerPage', 'deletesPerPage', 'seed', 'pages'] as const;

export class Churn {
  private spec: ChurnSpec | null = null;
  private random = seededRandom(1);
  private stats: ChurnStats = { active: false, pages: 0, updated: [], inserted: [], deleted: [] };
  /** Numbers the changes across the sandbox's life, so generated values never repeat. */
  private counter = 0;

  constructor(private readonly actions: ChurnActions) {}

  set(spec: ChurnSpec) {
    for (const k of COUNTS) {
      const v = spec?.[k];
      if (v === undefined || (k === 'pages' && v === null)) continue;
      if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) throw MmsError.invalid(`${k} must be a whole number of 0 or more`);
    }
    this.spec = { ...spec };
    this.random = seededRandom(spec.seed ?? 1);
    this.stats = { active: true, pages: 0, updated: [], inserted: [], deleted: [] };
  }

  clear() {
    this.spec = null;
    this.stats.active = false;
  }

  current(): ChurnStats {
    return { ...this.stats, updated: [...this.stats.updated], inserted: [...this.stats.inserted], deleted: [...this.stats.deleted] };
  }

  /** Called after each list page with the accounts that list covers; changes some when a next page exists. */
  afterPage(listed: StoredAccount[], hasNext: boolean) {
    const spec = this.spec;
    if (!spec || !hasNext || !listed.length) return;
    const pool = [...listed];
    const pick = () => pool.splice(Math.floor(this.random() * pool.length), 1)[0];
    for (let i = 0; i < (spec.updatesPerPage ?? 0); i++) {
      const account = pick();
      if (!account) break;
      this.actions.update(account, ++this.counter);
      this.stats.updated.push(account.accountId);
    }
    for (let i = 0; i < (spec.insertsPerPage ?? 0); i++) {
      const template = listed[Math.floor(this.random() * listed.length)]!;
      this.stats.inserted.push(this.actions.insert(template, ++this.counter).accountId);
    }
    for (let i = 0; i < (spec.deletesPerPage ?? 0); i++) {
      const account = pick();
      if (!account) break;
      this.actions.remove(account);
      this.stats.deleted.push(account.accountId);
    }
    this.stats.pages++;
    if (spec.pages != null && this.stats.pages >= spec.pages) this.clear();
  }
}
