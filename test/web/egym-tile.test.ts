import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page, Response } from 'playwright-core';
import { startEgymIssuer, type EgymIssuer } from '../../src/sandbox/egym/issuer.js';
import { startSyncFixture, type SyncFixture } from '../integrations/support.js';
import { clubWithClasses, type ClubMember } from './club.js';
import { egymHost, type EgymTileContext, type PortalMessage } from './egym-host.js';
import { ensureWebBuild, launchChromium, phoneContext, screenshot } from './support.js';

const ASK_FOR_TOKEN: PortalMessage = { topic: 'subscription', data: { type: 'authToken' } };

describe('the member app as the EGYM app opens it (Ionic Portals tile)', () => {
  let f: SyncFixture;
  let issuer: EgymIssuer;
  let browser: Browser;
  let member: ClubMember;
  let page: Page;
  let host: { published: PortalMessage[] };
  /** Tokens the EGYM issuer sandbox minted for the member, in order. */
  const minted: string[] = [];
  const tokenFor = async (claims: Record<string, unknown>, opts: { alg?: 'HS256' | 'RS256'; expiresInSeconds?: number } = {}) => issuer.sign(claims, { alg: 'HS256', ...opts });
  const memberToken = async () => {
    minted.push(await tokenFor({ sub: `bma-${member.memberId}`, membershipId: `gymnation-${member.memberId}` }));
    return minted[minted.length - 1]!;
  };
  /** Opens the tile on a new phone page with that context; the host answers token requests with `fresh`. */
  const openTile = async (context: EgymTileContext, fresh: () => Promise<string>) => {
    const tile = await (await phoneContext(browser)).newPage();
    tile.setDefaultTimeout(15_000);
    const opened = await egymHost(tile, context, async (message) =>
      JSON.stringify(message) === JSON.stringify(ASK_FOR_TOKEN) ? { topic: 'authToken', data: await fresh() } : null,
    );
    await tile.goto(`${f.app.url}/app/`);
    return { tile, host: opened };
  };
  const classCard = (name: string) => page.getByRole('listitem', { name });
  const isCall = (method: string, path: string, status?: number) => (r: Response) =>
    r.request().method() === method && new URL(r.url()).pathname === `/api/v1${path}` && (status === undefined || r.status() === status);

  beforeAll(async () => {
    ensureWebBuild();
    f = await startSyncFixture({ members: 60, worker: false });
    issuer = await startEgymIssuer();
    const bmaType = await f.app.http.post('/api/v1/admin/identity-types').set(f.auth).send({ name: 'EGYM BMA User ID', kind: 'egym_bma_user', maxPerClient: 1, minDaysBetweenChanges: 0, active: true });
    const egym = await f.app.http.post('/api/v1/admin/integrations').set(f.auth).send({
      type: 'egym_bma', name: 'EGYM app', active: true,
      config: { verification: { kind: 'hs256' }, issuer: issuer.issuer, audience: issuer.audience, membershipIdPrefix: 'gymnation-', bmaUserIdentityTypeId: bmaType.body.id, memberIdentityTypeId: f.identityTypeId },
      secrets: { hs256Secret: issuer.hs256Secret },
    });
    expect(egym.status).toBe(201);
    ({ member } = await clubWithClasses(f));
    // Sessions last an hour here, so that moving the server's clock on by one ends them mid-session.
    (f.app.ctx.config as { SESSION_TTL_HOURS: number }).SESSION_TTL_HOURS = 1;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await issuer?.close();
    await f?.close();
  });

  it('signs the member in with the context token, in the host colours, and lists the home location’s classes', async () => {
    const context = { authToken: await memberToken(), language: 'en_GB', primaryColor: '#d6001c', primaryTextColor: '#ffffff', startingRoute: '/' };
    ({ tile: page, host } = await openTile(context, memberToken));
    await classCard('Yoga').getByRole('button', { name: 'Book', exact: true }).waitFor();
    expect(await page.getByLabel('Location').inputValue()).toBe(String(member.locationId));
    expect(await classCard('Yoga').textContent()).toContain('12 of 12 places free');
    expect(await classCard('Boxing').textContent()).toContain('Your membership does not include this class.');
    expect(await classCard('Boxing').getByRole('button').count()).toBe(0);
    expect(await classCard('Spinning').textContent()).toContain('No places free');
    expect(await page.locator('header.bar').evaluate((bar) => getComputedStyle(bar).backgroundColor)).toBe('rgb(214, 0, 28)');
    expect(host.published).toEqual([]);
    await screenshot(page, 'tile-classes');
  });

  it('books a class and cancels it', async () => {
    const booked = page.waitForResponse(isCall('POST', '/me/bookings', 201));
    await classCard('Yoga').getByRole('button', { name: 'Book', exact: true }).click();
    await booked;
    await classCard('Yoga').getByText('You are booked').waitFor();
    expect(await classCard('Yoga').textContent()).toContain('11 of 12 places free');
    await screenshot(page, 'tile-booked');
    await classCard('Yoga').getByRole('button', { name: 'Cancel booking' }).click();
    await classCard('Yoga').getByRole('button', { name: 'Book', exact: true }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe('Booking cancelled: Yoga');
    expect(await classCard('Yoga').textContent()).toContain('12 of 12 places free');
  });

  it('joins and leaves the waitlist of a full class', async () => {
    await classCard('Spinning').getByRole('button', { name: 'Join the waitlist' }).click();
    await classCard('Spinning').getByText('You are number 1 on the waitlist').waitFor();
    expect(await classCard('Spinning').textContent()).toContain('1 on the waitlist');
    await screenshot(page, 'tile-waitlist');
    await classCard('Spinning').getByRole('button', { name: 'Leave the waitlist' }).click();
    await classCard('Spinning').getByRole('button', { name: 'Join the waitlist' }).waitFor();
  });

  it('lists the member’s bookings', async () => {
    await page.getByRole('link', { name: 'My bookings' }).click();
    const yoga = page.getByRole('listitem', { name: 'Yoga' });
    await yoga.getByText('Cancelled').waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/bookings');
    await screenshot(page, 'tile-bookings');
    await page.getByRole('link', { name: 'Classes' }).click();
    await classCard('Yoga').waitFor();
  });

  it('renews a session that expired mid-session through the Portals subscription, and the booking goes through', async () => {
    const realNow = f.app.ctx.now;
    f.app.ctx.now = () => new Date(realNow().getTime() + 61 * 60_000); // the session's hour is over
    const refused = page.waitForResponse(isCall('POST', '/me/bookings', 401));
    const exchanged = page.waitForResponse(isCall('POST', '/auth/egym', 200));
    const booked = page.waitForResponse(isCall('POST', '/me/bookings', 201));
    await classCard('Yoga').getByRole('button', { name: 'Book', exact: true }).click();
    await refused;
    const exchange = await exchanged;
    await booked;
    await classCard('Yoga').getByText('You are booked').waitFor();
    expect(host.published).toEqual([ASK_FOR_TOKEN]);
    // the fresh token the host sent, not the one the tile was opened with
    expect(exchange.request().postDataJSON()).toEqual({ token: minted[minted.length - 1] });
    expect(minted.length).toBe(2);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('opens at the EGYM app’s starting route, in its language', async () => {
    const { tile } = await openTile({ authToken: await memberToken(), language: 'de_DE', startingRoute: '/bookings' }, memberToken);
    await tile.getByRole('listitem', { name: 'Yoga' }).getByText('Gebucht').waitFor();
    expect(await tile.getByRole('link', { name: 'Meine Buchungen' }).getAttribute('aria-current')).toBe('page');
    expect(await tile.getByRole('heading', { name: 'Demnächst' }).count()).toBe(1);
    await screenshot(tile, 'tile-bookings-de');
    await tile.context().close();
  });

  it('shows every refusal of the EGYM sign-in in plain words', async () => {
    const expired = await tokenFor({ sub: `bma-${member.memberId}`, membershipId: `gymnation-${member.memberId}` }, { expiresInSeconds: -120 });
    const screens: [string, EgymTileContext, string][] = [
      // the host's fresh token is expired too (a host that is itself signed out)
      ['tile-refused-expired', { authToken: expired }, 'Your EGYM sign-in has expired'],
      ['tile-refused-signature', { authToken: await tokenFor({ sub: 'bma-x', membershipId: `gymnation-${member.memberId}` }, { alg: 'RS256' }) }, 'We could not confirm who you are'],
      ['tile-refused-not-synced', { authToken: await tokenFor({ sub: 'bma-new', membershipId: 'gymnation-99999999' }) }, 'Your membership has not arrived yet'],
      ['tile-refused-not-synced-de', { authToken: await tokenFor({ sub: 'bma-new', membershipId: 'gymnation-99999999' }), language: 'de_DE' }, 'Deine Mitgliedschaft ist noch nicht angekommen'],
    ];
    for (const email of ['family@tile.example', 'family@tile.example']) {
      await f.app.http.post('/api/v1/admin/clients').set(f.auth).send({ firstName: 'Family', lastName: 'Member', email }).expect(201);
    }
    screens.push(['tile-refused-ambiguous', { authToken: await tokenFor({ sub: 'bma-family', email: 'family@tile.example' }) }, 'More than one member has your e-mail address']);
    const showsScreen = async (name: string, context: EgymTileContext, title: string) => {
      const { tile } = await openTile(context, async () => context.authToken);
      await tile.getByRole('heading', { name: title }).waitFor();
      await screenshot(tile, name);
      const retry = await tile.getByRole('button').count();
      expect([name, retry]).toEqual([name, /not-synced|unavailable/.test(name) ? 1 : 0]);
      await tile.context().close();
    };
    for (const [name, context, title] of screens) await showsScreen(name, context, title);
    // no active egym_bma integration: clubcore cannot verify EGYM tokens at all (503)
    const integration = (await f.app.http.get('/api/v1/admin/integrations').set(f.auth)).body.items.find((i: { type: string }) => i.type === 'egym_bma');
    await f.app.http.patch(`/api/v1/admin/integrations/${integration.id}`).set(f.auth).send({ active: false }).expect(200);
    try {
      await showsScreen('tile-refused-unavailable', { authToken: await memberToken() }, 'Signing in through EGYM is not possible right now');
    } finally {
      await f.app.http.patch(`/api/v1/admin/integrations/${integration.id}`).set(f.auth).send({ active: true }).expect(200);
    }
  });
});
