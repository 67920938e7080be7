import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page, Response } from 'playwright-core';
import { startSyncFixture, type SyncFixture } from '../integrations/support.js';
import { clubWithClasses, type ClubMember } from './club.js';
import { ensureWebBuild, launchChromium, phoneContext, screenshot } from './support.js';

describe('the member app in a plain browser (the club’s web portal)', () => {
  let f: SyncFixture;
  let browser: Browser;
  let member: ClubMember;
  const signInCall = (r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/auth/login';
  const openPortal = async (locale?: string) => {
    const page = await (await phoneContext(browser, { locale })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${f.app.url}/app/`);
    return page;
  };
  /** Fills the sign-in form and sends it; answers the status clubcore gave. */
  const signIn = async (page: Page, login: string, password: string) => {
    await page.getByLabel(/E-mail or member number|E-Mail oder Mitgliedsnummer/).fill(login);
    await page.getByLabel(/^(Password|Passwort)$/).fill(password);
    const answered = page.waitForResponse(signInCall);
    await page.getByRole('button', { name: /^(Sign in|Anmelden)$/ }).click();
    return (await answered).status();
  };
  const clientsWithMemberId = async (memberId: number) =>
    (await f.app.ctx.db('client_identities').where({ identity_type_id: f.identityTypeId, value: String(memberId) })).length;

  beforeAll(async () => {
    ensureWebBuild();
    f = await startSyncFixture({ members: 60, worker: false });
    ({ member } = await clubWithClasses(f));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it('a Perfect Gym member never synced signs in with Perfect Gym credentials, after a wrong password, and books', async () => {
    expect(await clientsWithMemberId(member.memberId)).toBe(0);
    const page = await openPortal();
    await page.getByRole('heading', { name: 'Sign in to book classes' }).waitFor();
    await screenshot(page, 'portal-sign-in');

    expect(await signIn(page, member.login, 'not-my-password')).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('That e-mail, member number or password is not right. Check them and try again.');
    await screenshot(page, 'portal-wrong-password');

    expect(await signIn(page, member.login, member.password)).toBe(200);
    const yoga = page.getByRole('listitem', { name: 'Yoga' });
    await yoga.getByRole('button', { name: 'Book', exact: true }).click();
    await yoga.getByText('You are booked').waitFor();
    expect(await page.getByRole('status').textContent()).toBe('Booked: Yoga');
    expect(await clientsWithMemberId(member.memberId)).toBe(1);
    await screenshot(page, 'portal-booked');

    // the session outlives a reload; signing out ends it
    await page.reload();
    await yoga.getByText('You are booked').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to book classes' }).waitFor();
    await page.context().close();
  });

  it('says when sign-in is blocked after repeated failures, and for how long', async () => {
    const page = await openPortal();
    const other = f.sb.demoLogins.find((l) => l.memberId !== member.memberId)!;
    for (let attempt = 1; attempt <= 5; attempt++) expect(await signIn(page, other.login, `guess-${attempt}`)).toBe(401);
    expect(await signIn(page, other.login, other.password)).toBe(429);
    expect(await page.getByRole('alert').textContent()).toBe('Too many failed attempts. For your safety, signing in is paused for 15 min. Please try again after that.');
    await screenshot(page, 'portal-throttled');
    await page.context().close();
  });

  it('says, in the browser’s German, when the membership system cannot check the password', async () => {
    const moveTo = (baseUrl: string) => f.app.http.patch(`/api/v1/admin/integrations/${f.integrationId}`).set(f.auth).send({ config: { baseUrl } }).expect(200);
    await moveTo('http://127.0.0.1:9');
    try {
      const page = await openPortal('de-DE');
      await page.getByRole('heading', { name: 'Anmelden und Kurse buchen' }).waitFor();
      expect(await signIn(page, 'someone@mail.example', 'whatever')).toBe(503);
      expect(await page.getByRole('alert').textContent()).toMatch(/^Dein Passwort kann gerade nicht geprüft werden: Das Mitgliedersystem des Clubs ist nicht erreichbar/);
      await screenshot(page, 'portal-unavailable-de');
      await page.context().close();
    } finally {
      await moveTo(f.sb.url);
    }
  });
});
