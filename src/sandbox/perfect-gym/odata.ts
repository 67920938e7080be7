/**
 * The slice of OData v4 query options Perfect Gym integrators use: $filter (eq ne gt ge lt le,
 * and/or/not, parentheses; numbers, 'strings', booleans, null, date-times), $orderby, $top,
 * $skip, $count, $select. Property names match case-insensitively, like live instances.
 */
import { FIELDS, type Row, type SetName, type Value } from './store.js';

export class ODataError extends Error {}

type Literal = { kind: 'lit'; value: Value };
type Prop = { kind: 'prop'; name: string };
type Expr =
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; left: Literal | Prop; right: Literal | Prop }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr };

export interface Query {
  filter: Expr | null;
  /** The $filter as sent ('' without one). */
  filterText: string;
  orderBy: { name: string; desc: boolean }[];
  top: number | null;
  skip: number;
  count: boolean;
  select: string[] | null;
  /** Continuation of a version-ordered feed: rows after this version. */
  skipToken: number | null;
}

const TOKEN = /\s*(?:(\()|(\))|('(?:[^']|'')*')|(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(input: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < input.length) {
    if (/^\s*$/.test(input.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(input);
    if (!m) throw new ODataError(`Syntax error at position ${pos} in $filter '${input}'`);
    tokens.push(m.slice(1).find((g) => g !== undefined)!);
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

function canonicalField(set: SetName, name: string): string {
  const lower = name.toLowerCase();
  const found = ['id', 'isDeleted', 'version', ...FIELDS[set]].find((f) => f.toLowerCase() === lower);
  if (!found) throw new ODataError(`Could not find a property named '${name}' on type '${set}'`);
  return found;
}

/** Date-times compare in the server's own form, 'YYYY-MM-DDTHH:mm:ss' (no offset). */
function normalizeDateTime(text: string): string {
  return text.replace(/(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, '').padEnd(19, ':00').slice(0, 19);
}

function parseFilter(set: SetName, input: string): Expr {
  const tokens = tokenize(input);
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const next = () => {
    if (i >= tokens.length) throw new ODataError(`Unexpected end of $filter '${input}'`);
    return tokens[i++]!;
  };

  function operand(): Literal | Prop {
    const t = next();
    if (t.startsWith("'")) return { kind: 'lit', value: t.slice(1, -1).replace(/''/g, "'") };
    if (/^\d{4}-\d{2}-\d{2}T/.test(t)) return { kind: 'lit', value: normalizeDateTime(t) };
    if (/^-?\d/.test(t)) return { kind: 'lit', value: Number(t) };
    const lower = t.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'lit', value: lower === 'true' };
    if (lower === 'null') return { kind: 'lit', value: null };
    if (t === '(' || t === ')') throw new ODataError(`Unexpected '${t}' in $filter '${input}'`);
    return { kind: 'prop', name: canonicalField(set, t) };
  }

  function primary(): Expr {
    if (peek() === 'not') {
      next();
      return { kind: 'not', expr: primary() };
    }
    if (peek() === '(') {
      next();
      const e = or();
      if (next() !== ')') throw new ODataError(`Missing ')' in $filter '${input}'`);
      return e;
    }
    const left = operand();
    const op = next().toLowerCase();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw new ODataError(`Unknown operator '${op}' in $filter '${input}'`);
    return { kind: 'cmp', op: op as 'eq', left, right: operand() };
  }
  function and(): Expr {
    let e = primary();
    while (peek() === 'and') {
      next();
      e = { kind: 'and', left: e, right: primary() };
    }
    return e;
  }
  function or(): Expr {
    let e = and();
    while (peek() === 'or') {
      next();
      e = { kind: 'or', left: e, right: and() };
    }
    return e;
  }
  const expr = or();
  if (i !== tokens.length) throw new ODataError(`Unexpected '${tokens[i]}' in $filter '${input}'`);
  return expr;
}

function compare(a: Value, b: Value): number {
  if (typeof a !== typeof b) throw new ODataError(`A binary operator with incompatible types was detected: ${typeof a} and ${typeof b}`);
  if (typeof a === 'string' && typeof b === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(a) && /^\d{4}-\d{2}-\d{2}T/.test(b)) {
    return normalizeDateTime(a) < normalizeDateTime(b) ? -1 : normalizeDateTime(a) > normalizeDateTime(b) ? 1 : 0;
  }
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

export function matches(expr: Expr | null, row: Row): boolean {
  if (!expr) return true;
  switch (expr.kind) {
    case 'and':
      return matches(expr.left, row) && matches(expr.right, row);
    case 'or':
      return matches(expr.left, row) || matches(expr.right, row);
    case 'not':
      return !matches(expr.expr, row);
    case 'cmp': {
      const l = expr.left.kind === 'prop' ? (row[expr.left.name] ?? null) : expr.left.value;
      const r = expr.right.kind === 'prop' ? (row[expr.right.name] ?? null) : expr.right.value;
      if (l === null || r === null) {
        // OData: comparisons with null are only true for eq null / ne null
        return expr.op === 'eq' ? l === r : expr.op === 'ne' ? l !== r : false;
      }
      const c = compare(l, r);
      return { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[expr.op];
    }
  }
}

/**
 * The lowest version a row must exceed, when the filter starts with `version gt N` / `version ge N`
 * joined by `and`: the store can then seek instead of scanning.
 */
export function versionFloor(expr: Expr | null): number | null {
  if (!expr) return null;
  if (expr.kind === 'and') {
    const l = versionFloor(expr.left);
    const r = versionFloor(expr.right);
    return l === null ? r : r === null ? l : Math.max(l, r);
  }
  if (expr.kind === 'cmp' && expr.left.kind === 'prop' && expr.left.name === 'version' && expr.right.kind === 'lit' && typeof expr.right.value === 'number') {
    if (expr.op === 'gt') return expr.right.value;
    if (expr.op === 'ge') return expr.right.value - 1;
  }
  return null;
}

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ODataError(`Invalid value '${raw}' for ${name}: expected a non-negative integer`);
  return Number(raw);
}

const KNOWN = new Set(['$filter', '$orderby', '$top', '$skip', '$count', '$select', '$expand', '$skiptoken', '$format']);

export function parseQuery(set: SetName, params: URLSearchParams): Query {
  const options = new Map<string, string>();
  for (const [key, value] of params) {
    if (key.startsWith('$') && !KNOWN.has(key.toLowerCase())) throw new ODataError(`The query parameter '${key}' is not supported`);
    options.set(key.toLowerCase(), value);
  }
  const get = (k: string) => options.get(k);
  const filterText = get('$filter');
  const orderText = get('$orderby');
  const count = get('$count');
  if (count !== undefined && count !== 'true' && count !== 'false') throw new ODataError(`Invalid value '${count}' for $count`);
  const skipToken = get('$skiptoken');
  return {
    filter: filterText ? parseFilter(set, filterText) : null,
    filterText: filterText ?? '',
    orderBy: orderText
      ? orderText.split(',').map((part) => {
          const [name, dir, extra] = part.trim().split(/\s+/);
          if (!name || extra || (dir && !/^(asc|desc)$/i.test(dir))) throw new ODataError(`Invalid $orderby '${orderText}'`);
          return { name: canonicalField(set, name), desc: dir?.toLowerCase() === 'desc' };
        })
      : [],
    top: get('$top') !== undefined ? nonNegativeInt('$top', get('$top')!) : null,
    skip: get('$skip') !== undefined ? nonNegativeInt('$skip', get('$skip')!) : 0,
    count: count === 'true',
    select: get('$select') ? get('$select')!.split(',').map((s) => canonicalField(set, s.trim())) : null,
    skipToken: skipToken !== undefined ? nonNegativeInt('$skiptoken', skipToken) : null,
  };
}

export function sortRows(rows: Row[], orderBy: Query['orderBy']): Row[] {
  const keys = orderBy.length ? orderBy : [{ name: 'id', desc: false }];
  return rows.sort((a, b) => {
    for (const k of keys) {
      const av = a[k.name] ?? null;
      const bv = b[k.name] ?? null;
      if (av === bv) continue;
      const c = av === null ? -1 : bv === null ? 1 : compare(av, bv);
      if (c) return k.desc ? -c : c;
    }
    return a.id - b.id;
  });
}

export function project(row: Row, select: string[] | null): Record<string, Value> {
  if (!select) return row;
  return Object.fromEntries(select.map((f) => [f, row[f] ?? null]));
}
