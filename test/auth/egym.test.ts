import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEgymIssuer, type EgymIssuer } from '../../src/sandbox/egym/issuer.js';
import { expectedMembers, startSyncFixture, type SyncFixture } from '../integrations/support.js';

describe('EGYM app tiles: token verification and member mapping', () => {
  let f: SyncFixture;
  let issuer: EgymIssuer;
  let egymId: number;
  let bmaTypeId: number;
  const signIn = (token: string) => f.app.http.post('/api/v1/auth/egym').send({ token });
  const configure = (config: object, secrets: object = {}) =>
    f.app.http.patch(`/api/v1/admin/integrations/${egymId}`).set(f.auth).send({ config, secrets }).expect(200);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

  beforeAll(async () => {
    f = await startSyncFixture({ members: 80 });
    issuer = await startEgymIssuer();
    await f.run('initial-sync', { locationId: f.locations[0]!.id });
    await f.app.http.patch(`/api/v1/admin/locations/${f.locations[1]!.id}`).set(f.auth).send({ egymLocationId: 'egym-loc-2' }).expect(200);
    bmaTypeId = (await f.app.http.post('/api/v1/admin/identity-types').set(f.auth).send({ name: 'EGYM BMA User ID', kind: 'egym_bma_user', maxPerClient: 1, minDaysBetweenChanges: 0, active: true })).body.id;
    const res = await f.app.http.post('/api/v1/admin/integrations').set(f.auth).send({
      type: 'egym_bma', name: 'EGYM app', active: true,
      config: { verification: { kind: 'hs256' }, issuer: issuer.issuer, audience: issuer.audience, membershipIdPrefix: 'gymnation-', bmaUserIdentityTypeId: bmaTypeId, memberIdentityTypeId: f.identityTypeId },
      secrets: { hs256Secret: issuer.hs256Secret },
    });
    expect(res.status).toBe(201);
    expect(res.body.secrets).toEqual({ hs256Secret: 'set' });
    egymId = res.body.id;
  });
  afterAll(async () => {
    await issuer.close();
    await f.close();
  });

  it('maps by membership id, stores the EGYM identity, then finds the member by it', async () => {
    const member = expectedMembers(f.sb, [f.locations[0]!.clubId])[0]!;
    const first = await signIn(await issuer.sign({ sub: 'bma-user-1', membershipId: `gymnation-${member.id}` }, { alg: 'HS256' }));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token: expect.any(String), client: { firstName: member.firstName }, homeLocation: { id: f.locations[0]!.id } });
    const stored = await f.app.ctx.db('client_identities').where({ identity_type_id: bmaTypeId, value: 'bma-user-1' }).first();
    expect(stored.client_id).toBe(first.body.client.id);
    const second = await signIn(await issuer.sign({ sub: 'bma-user-1' }, { alg: 'HS256' }));
    expect(second.body.client.id).toBe(first.body.client.id);
    const classes = await f.app.http.get('/api/v1/me/classes').set({ authorization: `Bearer ${second.body.token}` });
    expect(classes.status).toBe(200);
    expect(classes.body.locationId).toBe(f.locations[0]!.id);
  });

  it('falls back to a unique e-mail and refuses an ambiguous one', async () => {
    const mk = (email: string, lastName: string) => f.app.http.post('/api/v1/admin/clients').set(f.auth).send({ firstName: 'E', lastName, email });
    const unique = (await mk('unique@egym.example', 'Unique')).body;
    await mk('family@egym.example', 'One');
    await mk('family@egym.example', 'Two');
    const ok = await signIn(await issuer.sign({ sub: 'bma-mail-1', email: 'unique@egym.example' }, { alg: 'HS256' }));
    expect(ok.body.client.id).toBe(unique.id);
    const ambiguous = await signIn(await issuer.sign({ sub: 'bma-mail-2', email: 'family@egym.example' }, { alg: 'HS256' }));
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatchObject({ code: 'ambiguousEmail', detail: expect.stringMatching(/2 active members share/) });
  });

  it('creates a member not synced yet from Perfect Gym, and 404s when nobody matches', async () => {
    const unsynced = f.sb.list('Members').find((m) => m.homeClubId === f.locations[1]!.clubId && m.isActive && !m.isDeleted)!;
    const jit = await signIn(await issuer.sign({ sub: 'bma-jit', membershipId: `gymnation-${unsynced.id}`, externalGymId: 'egym-loc-2' }, { alg: 'HS256' }));
    expect(jit.status).toBe(200);
    expect(jit.body.client.lastName).toBe(unsynced.lastName);
    const missing = await signIn(await issuer.sign({ sub: 'bma-none', membershipId: 'gymnation-99999999' }, { alg: 'HS256' }));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'notSynced', detail: expect.stringMatching(/not known to the club yet/) });
  });

  it('refuses tampered, expired, wrongly addressed and unsigned tokens with a reason', async () => {
    const member = expectedMembers(f.sb, [f.locations[0]!.clubId])[1]!;
    const good = await issuer.sign({ sub: 'bma-2', membershipId: `gymnation-${member.id}` }, { alg: 'HS256' });
    const [h, , s] = good.split('.');
    const tampered = await signIn(`${h}.${b64({ sub: 'bma-evil', membershipId: 'gymnation-1', exp: 9999999999 })}.${s}`);
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({ code: 'tokenInvalid', detail: expect.stringMatching(/signature does not verify/) });
    const expired = await signIn(await issuer.sign({ sub: 'bma-2' }, { alg: 'HS256', expiresInSeconds: -120 }));
    // The app asks the EGYM app for a fresh token on tokenExpired only.
    expect(expired.body).toMatchObject({ code: 'tokenExpired', detail: expect.stringMatching(/expired at/) });
    const none = await signIn(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'bma-2', exp: 9999999999 })}.`);
    expect(none.status).toBe(401);
    expect(none.body.detail).toMatch(/algorithm|not a valid/);
    const wrongAlg = await signIn(await issuer.sign({ sub: 'bma-2' }, { alg: 'RS256' }));
    expect(wrongAlg.body.detail).toMatch(/expects HS256/);
    await configure({ audience: 'someone-else' });
    expect((await signIn(good)).body.detail).toMatch(/Audience mismatch: expected someone-else/);
    await configure({ audience: issuer.audience, issuer: 'https://other.example' });
    expect((await signIn(good)).body.detail).toMatch(/Issuer mismatch/);
    await configure({ issuer: issuer.issuer });
    expect((await signIn(good)).status).toBe(200);
  });

  it('refuses a correctly signed token whose claims have the wrong shapes, naming the claim', async () => {
    for (const claims of [{ sub: { id: 1 } }, { sub: 'bma-x', membershipId: ['1'] }, { sub: 'bma-x', email: 42 }, { sub: 'bma-x', externalGymId: { a: 1 } }]) {
      const res = await signIn(await issuer.sign(claims as never, { alg: 'HS256' }));
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(new RegExp(`claims are not usable: ${Object.keys(claims).pop()}`));
    }
  });

  it('verifies RS256 with a configured public key and ES256 through a JWKS URL', async () => {
    const member = expectedMembers(f.sb, [f.locations[0]!.clubId])[2]!;
    const claims = { sub: 'bma-3', membershipId: `gymnation-${member.id}` };
    await configure({ verification: { kind: 'publicKey', publicKeyPem: issuer.publicKeyPem('RS256') } });
    expect((await signIn(await issuer.sign(claims, { alg: 'RS256' }))).status).toBe(200);
    expect((await signIn(await issuer.sign(claims, { alg: 'HS256' }))).status).toBe(401);
    await configure({ verification: { kind: 'jwks', jwksUrl: issuer.jwksUrl } });
    expect((await signIn(await issuer.sign(claims, { alg: 'ES256' }))).status).toBe(200);
    expect((await signIn(await issuer.sign(claims, { alg: 'RS256' }))).status).toBe(200);
    await configure({ verification: { kind: 'hs256' } });
  });
});
