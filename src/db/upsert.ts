import { isMysql, writeInFewShapes, type Db } from './knex.js';

/**
 * Multi-row upsert that only overwrites a row with data at least as new as what it holds
 * (`versionColumn`), so re-reading an overlap or a late commit can never roll a row back.
 * MySQL's ON DUPLICATE KEY UPDATE takes no WHERE (and ignores the conflict target), so each
 * column is guarded with IF(...), the version column assigned last; SQLite takes a WHERE.
 */
export async function upsertNewer(
  db: Db,
  table: string,
  rows: Record<string, unknown>[],
  conflictColumns: string[],
  updateColumns: string[],
  versionColumn = 'source_version',
): Promise<void> {
  const newer = `VALUES(\`${versionColumn}\`) >= COALESCE(\`${versionColumn}\`, -1)`;
  await writeInFewShapes(db, rows, rows.length, (chunk) => {
    const insert = db(table).insert(chunk).onConflict(conflictColumns);
    if (isMysql(db)) {
      return insert.merge(Object.fromEntries([...updateColumns, versionColumn].map((c) => [c, db.raw(`IF(${newer}, VALUES(??), ??)`, [c, c])])));
    }
    return insert.merge([...updateColumns, versionColumn]).whereRaw(`coalesce(??, -1) <= excluded.??`, [`${table}.${versionColumn}`, versionColumn]);
  });
}
