import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrateLatest } from '../../src/db/migrate.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

/** Migration 0005 moves locations' Perfect Gym club ids and EGYM location ids into location_links. */
describe('migration 0005: location links', () => {
  let app: TestApp;
  let auth: { authorization: string };

  beforeAll(async () => {
    const database = await createTestDatabase({ migratedUpTo: '0004_email_nocase_index' });
    const { db } = database;
    const now = new Date();
    await db('locations').insert([
      { id: 1, name: 'Both', timezone: 'Europe/Berlin', perfect_gym_club_id: 11, egym_location_id: 'eg-1', created_at: now, updated_at: now },
      { id: 2, name: 'Club only', timezone: 'Europe/Warsaw', perfect_gym_club_id: 12, egym_location_id: null, created_at: now, updated_at: now },
      { id: 3, name: 'Neither', timezone: 'UTC', perfect_gym_club_id: null, egym_location_id: null, created_at: now, updated_at: now },
    ]);
    await db('doors').insert({ id: 1, location_id: 2, title: 'Front', door_code: 'F-1', type: 'entrance', access_control: false, active: true, created_at: now, updated_at: now });
    await db('integrations').insert({ id: 5, type: 'perfect_gym', name: 'PG', active: false, config: '{}', secrets_encrypted: null, credentials_status: 'unknown', created_at: now, updated_at: now });
    await migrateLatest(db);
    app = await startTestApp({}, { database });
    auth = { authorization: `Bearer ${await app.staffToken()}` };
  });
  afterAll(() => app.close());

  it('reads the same locations through the API, links owned by the integration that used them', async () => {
    const { items } = (await app.http.get('/api/v1/admin/locations').set(auth)).body;
    expect(items.map((l: Record<string, unknown>) => [l.id, l.name, l.timezone, l.perfectGymClubId, l.egymLocationId])).toEqual([
      [1, 'Both', 'Europe/Berlin', 11, 'eg-1'],
      [2, 'Club only', 'Europe/Warsaw', 12, null],
      [3, 'Neither', 'UTC', null, null],
    ]);
    expect((await app.http.get('/api/v1/admin/doors/1').set(auth)).body).toMatchObject({ locationId: 2, doorCode: 'F-1' });
    const links = await app.ctx.db('location_links').orderBy(['location_id', 'integration_type']).select('integration_type', 'integration_id', 'location_id', 'external_id');
    expect(links).toEqual([
      { integration_type: 'egym_bma', integration_id: null, location_id: 1, external_id: 'eg-1' },
      { integration_type: 'perfect_gym', integration_id: 5, location_id: 1, external_id: '11' },
      { integration_type: 'perfect_gym', integration_id: 5, location_id: 2, external_id: '12' },
    ]);
  });

  it('keeps accepting the old fields on locations', async () => {
    const patched = await app.http.patch('/api/v1/admin/locations/3').set(auth).send({ perfectGymClubId: 13, egymLocationId: 'eg-3' });
    expect(patched.body).toMatchObject({ perfectGymClubId: 13, egymLocationId: 'eg-3' });
    const cleared = await app.http.patch('/api/v1/admin/locations/3').set(auth).send({ perfectGymClubId: null });
    expect(cleared.body).toMatchObject({ perfectGymClubId: null, egymLocationId: 'eg-3' });
  });
});
