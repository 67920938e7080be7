import { isMysql, type Db } from './knex.js';

/**
 * Multi-row upsert that only overwrites a row with data at least as new as what it holds
 * (`versionColumn`), so re-reading an overlap or a late commit can never roll a row back.
 * MySQL's ON DUPLICATE KEY UPDATE takes no WHERE (and ignores the conflict target), so each
 * column is guarded with IF(...), the version column assigned last; SQLite takes a WHERE.
 * On SQLite the rows go in chunks of power-of-two sizes: each row count is a statement shape of its
 * own, which the connection compiles and keeps (src/db/knex.ts), and a compiled 500-row upsert holds
 * ~1 MB that V8 does not see. Sync pages have every row count from 1 to 500; as chunks of 2^k they
 * make at most 9 shapes per table (peak RSS of a 1M-member sync on SQLite: 326 MB before). MySQL
 * does not prepare them, and each chunk there would be one more round trip.
 */
export async function upsertNewer(
  db: Db,
  table: string,
  rows: Record<string, unknown>[],
  conflictColumns: string[],
  updateColumns: string[],
  versionColumn = 'source_version',
): Promise<void> {
  if (!rows.length) return;
  if (isMysql(db)) {
    const insert = db(table).insert(rows).onConflict(conflictColumns);
    const newer = `VALUES(\`${versionColumn}\`) >= COALESCE(\`${versionColumn}\`, -1)`;
    const assignments = Object.fromEntries(
      [...updateColumns, versionColumn].map((c) => [c, db.raw(`IF(${newer}, VALUES(??), ??)`, [c, c])]),
    );
    await insert.merge(assignments);
    return;
  }
  for (let start = 0; start < rows.length; ) {
    const size = 2 ** Math.floor(Math.log2(rows.length - start));
    await db(table)
      .insert(rows.slice(start, start + size))
      .onConflict(conflictColumns)
      .merge([...updateColumns, versionColumn])
      .whereRaw(`coalesce(??, -1) <= excluded.??`, [`${table}.${versionColumn}`, versionColumn]);
    start += size;
  }
}
