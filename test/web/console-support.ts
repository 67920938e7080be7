import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { integrationJobs } from '../../src/integrations/jobs.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { startPerfectGymSandbox, type PerfectGymSandbox } from '../../src/sandbox/perfect-gym/server.js';
import { createStaffUser } from '../../src/staff/service.js';
import { WEB_BUILD_DIR } from '../../src/web/static.js';
import { startTestApp, type TestApp } from '../support/app.js';

/*
 * What the manager console's browser tests share: an empty clubcore (real server and job worker)
 * beside a Perfect Gym sandbox, an admin and a manager who sign in with passwords, a desktop
 * browser page, and screenshots under test-artifacts/console/ (git-ignored).
 */

export const ADMIN = { email: 'ada@club.example', password: 'admin-password' };
export const MANAGER = { email: 'max@club.example', password: 'manager-password' };

export interface ConsoleFixture {
  app: Pick<TestApp, 'ctx' | 'url'>;
  sb: PerfectGymSandbox;
  close(): Promise<void>;
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const sb = await startPerfectGymSandbox({ members: 150, clubs: 3, seed: 11, pageSize: 20 });
  const app = await startTestApp();
  await createStaffUser(app.ctx, { ...ADMIN, name: 'Ada Admin', role: 'admin' });
  await createStaffUser(app.ctx, { ...MANAGER, name: 'Max Manager', role: 'manager' });
  const scheduler = startScheduler(app.ctx, integrationJobs, { pollMs: 30, leaseMs: 3000, cronExpression: '0 0 1 1 *' });
  return {
    app,
    sb,
    async close() {
      await scheduler.stop();
      await app.close();
      await sb.close();
    },
  };
}

/** A desktop browser tab (1280 x 800) at the console's sign-in, the form sent. */
async function signIn(browser: Browser, url: string, who: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' })).newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${url}/console/`);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** A desktop browser tab signed in to the console. */
export async function signedInPage(browser: Browser, url: string, who: { email: string; password: string }): Promise<Page> {
  const page = await signIn(browser, url, who);
  await page.getByRole('heading', { name: 'Set-up guide' }).waitFor();
  return page;
}

/** What the sign-in form says to a refused sign-in. */
export async function signInStatus(browser: Browser, url: string, who: { email: string; password: string }): Promise<string | null> {
  const page = await signIn(browser, url, who);
  const text = await page.getByRole('alert').textContent();
  await page.context().close();
  return text;
}

// dist/web -> the package root
const ARTIFACTS = join(dirname(dirname(WEB_BUILD_DIR)), 'test-artifacts', 'console');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
