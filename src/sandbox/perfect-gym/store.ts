/**
 * The sandbox's data: every Perfect Gym entity set in memory, with one global version counter
 * like the real server. Each set keeps an append-only log of (version, row) so a change feed
 * (`version gt N` ordered by version) starts with a binary search instead of a scan.
 */

export type Value = string | number | boolean | null;
export type Row = { id: number; isDeleted: boolean; version: number } & Record<string, Value>;

export const SETS = ['Clubs', 'Members', 'Contracts', 'PaymentPlans', 'Products', 'MemberProducts', 'MemberClubVisits'] as const;
export type SetName = (typeof SETS)[number];

/** Field names exactly as Perfect Gym spells them (id, isDeleted and version are on every set). */
export const FIELDS: Record<SetName, string[]> = {
  Clubs: ['name', 'shortName', 'symbol', 'isHidden', 'timezoneId', 'email', 'phoneNumber'],
  Members: ['number', 'firstName', 'secondName', 'lastName', 'email', 'phoneNumber', 'birthdate', 'sex', 'homeClubId', 'isActive', 'memberType', 'createdDate'],
  Contracts: ['memberId', 'paymentPlanId', 'clubId', 'signUpDate', 'startDate', 'endDate', 'cancelDate', 'status', 'isActive', 'isAdditionalContract', 'automaticRenew'],
  PaymentPlans: ['name', 'isActive', 'isAdditional', 'paymentInterval', 'commitmentPeriod'],
  Products: ['name', 'productType', 'validityPeriod'],
  MemberProducts: ['memberId', 'productId', 'clubId', 'initialQuantity', 'currentQuantity', 'purchaseDate', 'expiryDate'],
  MemberClubVisits: ['memberId', 'clubId', 'enterDate', 'leaveDate', 'readerName'],
};

export type ChangeKind = 'created' | 'updated' | 'deleted';
export type ChangeListener = (set: SetName, row: Row, kind: ChangeKind) => void;

class EntitySet {
  readonly rows = new Map<number, Row>();
  /** (version, id) in version order; entries whose row has moved on to a newer version are stale. */
  private log: { version: number; id: number }[] = [];
  private stale = 0;
  private nextId = 1;
  lastVersion = 0;
  /** Writes so far: a page position remembered at one count is only valid at the same count. */
  writes = 0;

  constructor(readonly name: SetName) {}

  allocateId(): number {
    return this.nextId++;
  }

  put(row: Row, isNew: boolean) {
    if (!isNew) this.stale++;
    this.writes++;
    if (row.id >= this.nextId) this.nextId = row.id + 1;
    this.rows.set(row.id, row);
    this.log.push({ version: row.version, id: row.id });
    this.lastVersion = row.version;
    if (this.stale > 1000 && this.stale > this.log.length / 2) this.compact();
  }

  private compact() {
    this.log = this.log.filter((e) => this.rows.get(e.id)!.version === e.version);
    this.stale = 0;
  }

  /** Current rows with version > after, in version order. */
  *sinceVersion(after: number): Generator<Row> {
    for (let i = this.seek(after); i < this.log.length; i++) {
      const e = this.log[i]!;
      const row = this.rows.get(e.id)!;
      if (row.version === e.version) yield row;
    }
  }

  /** Current rows, newest version first. */
  *newestFirst(): Generator<Row> {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const e = this.log[i]!;
      const row = this.rows.get(e.id)!;
      if (row.version === e.version) yield row;
    }
  }

  /** The log position of the first entry with a version above `after` (a binary search). */
  seek(after: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.version <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Current rows from log position `from` on, in version order, each with the position just after
   * it. Positions stay valid while `writes` is unchanged (a write may compact the log).
   */
  *scan(from: number): Generator<{ row: Row; next: number }> {
    for (let i = from; i < this.log.length; i++) {
      const e = this.log[i]!;
      const row = this.rows.get(e.id)!;
      if (row.version === e.version) yield { row, next: i + 1 };
    }
  }
}

export class SandboxError extends Error {
  constructor(readonly code: string, message: string, readonly property: string | null = null) {
    super(message);
  }
}

export class Store {
  private readonly sets = new Map<SetName, EntitySet>(SETS.map((s) => [s, new EntitySet(s)]));
  private version = 1000;
  readonly passwords = new Map<number, string>();
  private listeners: ChangeListener[] = [];

  onChange(listener: ChangeListener) {
    this.listeners.push(listener);
  }

  private gap: { max: number; random: () => number } | null = null;

  /**
   * Versions grow on every change, by a small varying step: clients must not assume +1. With a gap
   * (`setVersionGap`), each write moves the counter on by a random 1..max instead, the way a live
   * instance's counter jumps between two writes of one set when other tables are written in between.
   */
  private nextVersion(): number {
    this.version += this.gap ? 1 + Math.floor(this.gap.random() * this.gap.max) : 1 + (this.version % 3);
    return this.version;
  }

  /** Each later write advances the counter by a random 1..max (null: back to the small default step). */
  setVersionGap(max: number | null, random: () => number) {
    if (max !== null && !(Number.isInteger(max) && max >= 1)) throw new SandboxError('InvalidVersionGap', 'versionGap must be a whole number of 1 or more', 'versionGap');
    this.gap = max === null ? null : { max, random };
  }

  /** Moves the counter on without writing a row of these sets (other tables' writes); returns it. */
  advanceVersion(by: number): number {
    if (!(Number.isInteger(by) && by >= 0)) throw new SandboxError('InvalidVersionAdvance', 'advanceBy must be a whole number of 0 or more', 'advanceBy');
    this.version += by;
    return this.version;
  }

  /** The global counter: the highest version any row of any set has (or had, after advanceVersion). */
  currentVersion(): number {
    return this.version;
  }

  /** The highest version of any row in the set: changes whenever the set changes. */
  setVersion(name: SetName): number {
    return this.set(name).lastVersion;
  }

  set(name: SetName): EntitySet {
    return this.sets.get(name)!;
  }

  get(name: SetName, id: number): Row | undefined {
    return this.set(name).rows.get(id);
  }

  getOrThrow(name: SetName, id: number): Row {
    const row = this.get(name, id);
    if (!row) throw notFound(name, id);
    return row;
  }

  list(name: SetName): Row[] {
    return [...this.set(name).rows.values()];
  }

  create(name: SetName, fields: Record<string, Value>, opts: { silent?: boolean } = {}): Row {
    const set = this.set(name);
    const row = { ...blank(name), ...pick(name, fields), id: set.allocateId(), isDeleted: false, version: this.nextVersion() } as Row;
    set.put(row, true);
    if (!opts.silent) this.emit(name, row, 'created');
    return row;
  }

  update(name: SetName, id: number, patch: Record<string, Value>): Row {
    const current = this.getOrThrow(name, id);
    const row = { ...current, ...pick(name, patch), id, version: this.nextVersion() } as Row;
    this.set(name).put(row, false);
    this.emit(name, row, 'updated');
    return row;
  }

  /** Soft delete, as the real server does: the row stays with isDeleted true and a new version. */
  remove(name: SetName, id: number, opts: { silent?: boolean } = {}): Row {
    const current = this.getOrThrow(name, id);
    const row = { ...current, isDeleted: true, version: this.nextVersion() } as Row;
    this.set(name).put(row, false);
    if (!opts.silent) this.emit(name, row, 'deleted');
    return row;
  }

  setPassword(memberId: number, password: string | null) {
    this.getOrThrow('Members', memberId);
    if (password === null) this.passwords.delete(memberId);
    else this.passwords.set(memberId, password);
  }

  private emit(name: SetName, row: Row, kind: ChangeKind) {
    for (const l of this.listeners) l(name, row, kind);
  }
}

function blank(name: SetName): Record<string, Value> {
  return Object.fromEntries(FIELDS[name].map((f) => [f, null]));
}

function pick(name: SetName, fields: Record<string, Value>): Record<string, Value> {
  const known = new Set(FIELDS[name]);
  const unknown = Object.keys(fields).filter((k) => !known.has(k) && !['id', 'version', 'isDeleted'].includes(k));
  if (unknown.length) throw new SandboxError('InvalidProperty', `${name} has no field ${unknown.join(', ')}`, unknown[0]!);
  return Object.fromEntries(Object.entries(fields).filter(([k]) => known.has(k)));
}

function notFound(name: SetName, id: number): SandboxError {
  const entity = name === 'MemberClubVisits' ? 'MemberClubVisit' : name.replace(/s$/, '');
  return new SandboxError(`${entity}NotFoundForGivenId`, `${entity} with id ${id} was not found`);
}
