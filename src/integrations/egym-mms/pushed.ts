import type { Db } from '../../db/knex.js';
import type { MmsAccount } from './client.js';

/** What clubcore last sent to EGYM for a client, and with which location's key. */
export interface PushedAccount {
  locationId: number;
  accountId: string;
  body: MmsAccount;
}

export async function getPushed(db: Db, integrationId: number, clientId: number): Promise<PushedAccount | null> {
  const row = await db('egym_mms_pushed').where({ integration_id: integrationId, client_id: clientId }).first();
  return row ? { locationId: row.location_id, accountId: row.account_id, body: JSON.parse(row.body) } : null;
}

export async function savePushed(db: Db, integrationId: number, clientId: number, pushed: PushedAccount, now: Date): Promise<void> {
  await db('egym_mms_pushed')
    .insert({ integration_id: integrationId, client_id: clientId, location_id: pushed.locationId, account_id: pushed.accountId, body: JSON.stringify(pushed.body), pushed_at: now })
    .onConflict(['integration_id', 'client_id'])
    .merge(['location_id', 'account_id', 'body', 'pushed_at']);
}

export async function deletePushed(db: Db, integrationId: number, clientId: number): Promise<void> {
  await db('egym_mms_pushed').where({ integration_id: integrationId, client_id: clientId }).delete();
}
