/**
 * Churn: data that changes while a client walks a set, the way a live club's does during a long
 * download. After each page of a churned set that has a next page, rows already served get
 * updated (their version bumps, so they move to the end of the version order and, under `$skip`
 * paging, every row behind them slides one place down), new rows are inserted and served rows are
 * soft-deleted, at the chosen rates.
 *
 * "Served" means: sent in any page of that set since the churn was set. Changes go through the
 * store like any other write (new versions, webhooks).
 */
import { seededRandom } from './generator.js';
import { SandboxError, SETS, type Row, type SetName, type Store, type Value } from './store.js';

type Fields = Record<string, Value>;

export interface ChurnSpec {
  set: SetName;
  /** Served rows updated after each page (default 0). */
  updatesPerPage?: number;
  /** Rows inserted after each page, each a copy of a served row with a new id (default 0). */
  insertsPerPage?: number;
  /** Served rows soft-deleted after each page (default 0). */
  deletesPerPage?: number;
  /** Which rows are picked (default 1): the same seed and the same requests give the same changes. */
  seed?: number;
  /** Stop by itself after changing data after this many pages (default: until cleared). */
  pages?: number | null;
  /**
   * What an update sets: fields, or (in-process) a function of the row and the update's number.
   * Default: a harmless field per set (Members: phoneNumber, Contracts: automaticRenew, ...).
   */
  update?: Fields | ((row: Row, n: number) => Fields);
  /** Fields an insert sets over the copied row: fields, or (in-process) a function of the copied row and the insert's number. */
  insert?: Fields | ((template: Row, n: number) => Fields);
}

export interface ChurnStats {
  set: SetName;
  /** Whether it still changes data after pages (false once cleared or after `pages`). */
  active: boolean;
  /** Pages after which data was changed. */
  pages: number;
  /** Ids in the order they were changed (an id updated twice appears twice). */
  updated: number[];
  inserted: number[];
  deleted: number[];
}

const COUNTS = ['updatesPerPage', 'insertsPerPage', 'deletesPerPage'] as const;

/** Checks a spec that arrives as JSON (the control API) or from a test; throws SandboxError. */
export function validateChurn(raw: unknown): ChurnSpec {
  if (!raw || typeof raw !== 'object') throw new SandboxError('InvalidChurn', 'A churn spec is an object {set, updatesPerPage, insertsPerPage, deletesPerPage, seed, pages}');
  const spec = raw as Record<string, unknown>;
  const set = SETS.find((s) => s.toLowerCase() === String(spec.set ?? '').toLowerCase());
  if (!set) throw new SandboxError('InvalidChurn', `set must be one of ${SETS.join(', ')}`, 'set');
  for (const k of [...COUNTS, 'seed', 'pages'] as const) {
    const v = spec[k];
    if (v === undefined || (k === 'pages' && v === null)) continue;
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) throw new SandboxError('InvalidChurn', `${k} must be a whole number of 0 or more`, k);
  }
  for (const k of ['update', 'insert'] as const) {
    const v = spec[k];
    if (v !== undefined && typeof v !== 'function' && (!v || typeof v !== 'object' || Array.isArray(v))) throw new SandboxError('InvalidChurn', `${k} must be an object of fields`, k);
  }
  return { ...(spec as unknown as ChurnSpec), set };
}

/** The default change of an update: one field clubcore reads or may read, so the change is real. */
function defaultUpdate(set: SetName, row: Row, n: number): Fields {
  switch (set) {
    case 'Members':
      return { phoneNumber: `+48 700 ${String(n).padStart(6, '0')}` };
    case 'Clubs':
      return { phoneNumber: `+48 22 ${String(n).padStart(6, '0')}` };
    case 'Contracts':
      return { automaticRenew: !row.automaticRenew };
    case 'MemberProducts':
      return { currentQuantity: Math.max(0, Number(row.currentQuantity ?? 1) - 1) };
    case 'MemberClubVisits':
      return { readerName: `Gate ${1 + (n % 3)}` };
    default:
      return {}; // saved unchanged: the version still moves, as on a live instance
  }
}

/** A new row like the template: members get a number and e-mail of their own. */
function defaultInsert(set: SetName, template: Row, n: number): Fields {
  const { id: _id, version: _version, isDeleted: _deleted, ...fields } = template;
  if (set === 'Members') return { ...fields, number: String(900_000_000 + n), email: template.email === null ? null : `churn.${n}@mail.example` };
  return fields;
}

interface Active {
  spec: ChurnSpec;
  random: () => number;
  /** Ids served since the churn was set, once each, in the order first served. */
  pool: number[];
  inPool: Set<number>;
}

export class Churn {
  private readonly active = new Map<SetName, Active>();
  private readonly stats = new Map<SetName, ChurnStats>();
  /** Numbers updates and inserts across the sandbox's life, so generated values never repeat. */
  private counter = 0;

  constructor(private readonly store: Store) {}

  set(raw: ChurnSpec) {
    const spec = validateChurn(raw);
    this.active.set(spec.set, { spec, random: seededRandom(spec.seed ?? 1), pool: [], inPool: new Set() });
    this.stats.set(spec.set, { set: spec.set, active: true, pages: 0, updated: [], inserted: [], deleted: [] });
  }

  /** Stops churning one set, or every set. Stats stay readable. */
  clear(set?: SetName) {
    for (const name of set ? [set] : [...this.active.keys()]) {
      this.active.delete(name);
      const s = this.stats.get(name);
      if (s) s.active = false;
    }
  }

  list(): ChurnStats[] {
    return [...this.stats.values()].map((s) => ({ ...s, updated: [...s.updated], inserted: [...s.inserted], deleted: [...s.deleted] }));
  }

  isActive(set: SetName): boolean {
    return this.active.has(set);
  }

  /**
   * Called with every page of a set served by the real API; when the page has a next one, changes
   * data at the chosen rates before the client asks for it.
   */
  afterPage(set: SetName, rows: readonly Row[], hasNext: boolean) {
    const a = this.active.get(set);
    if (!a) return;
    for (const row of rows) {
      if (a.inPool.has(row.id)) continue;
      a.inPool.add(row.id);
      a.pool.push(row.id);
    }
    if (!hasNext || !a.pool.length) return;
    const stats = this.stats.get(set)!;
    const { spec } = a;
    const pick = (): Row | null => {
      // a served row that is not deleted; give up after a few tries when most are
      for (let tries = 0; tries < 20; tries++) {
        const row = this.store.get(set, a.pool[Math.floor(a.random() * a.pool.length)]!);
        if (row && !row.isDeleted) return row;
      }
      return null;
    };
    for (let i = 0; i < (spec.updatesPerPage ?? 0); i++) {
      const row = pick();
      if (!row) break;
      const n = ++this.counter;
      const patch = typeof spec.update === 'function' ? spec.update(row, n) : { ...defaultUpdate(set, row, n), ...spec.update };
      stats.updated.push(this.store.update(set, row.id, patch).id);
    }
    for (let i = 0; i < (spec.insertsPerPage ?? 0); i++) {
      const template = pick();
      if (!template) break;
      const n = ++this.counter;
      const extra = typeof spec.insert === 'function' ? spec.insert(template, n) : spec.insert;
      stats.inserted.push(this.store.create(set, { ...defaultInsert(set, template, n), ...extra }).id);
    }
    for (let i = 0; i < (spec.deletesPerPage ?? 0); i++) {
      const row = pick();
      if (!row) break;
      stats.deleted.push(this.store.remove(set, row.id).id);
    }
    stats.pages++;
    if (spec.pages != null && stats.pages >= spec.pages) this.clear(set);
  }
}
