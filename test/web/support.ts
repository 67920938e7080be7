import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WEB_BUILD_DIR } from '../../src/web/static.js';

/*
 * What the browser tests share: the web apps built once (a fresh clone has none), Debian's Chromium
 * with a phone's viewport, and screenshots under test-artifacts/ (git-ignored).
 */

const ROOT = dirname(dirname(WEB_BUILD_DIR));
const STAMP = '.source-hash';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** What the build is made from: web/ and the locked versions of vite, preact, @ionic/portals. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(join(ROOT, 'web')).sort(), join(ROOT, 'package-lock.json')]) hash.update(relative(ROOT, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Builds the web apps into dist/web, where clubcore serves them from, unless that build is of the
 * current sources already (so one test run builds at most once, and a rerun not at all). The new
 * build is made beside it and moved in whole: a server of another test file never sees half of one.
 */
export function ensureWebBuild(): void {
  const hash = sourceHash();
  const stamp = join(WEB_BUILD_DIR, STAMP);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  const fresh = `${WEB_BUILD_DIR}.${process.pid}-${Date.now()}`;
  execFileSync(process.execPath, [join(ROOT, 'web', 'build.mjs'), '--out', fresh], { stdio: 'pipe' });
  writeFileSync(join(fresh, STAMP), hash);
  const old = `${fresh}.old`;
  try {
    if (existsSync(WEB_BUILD_DIR)) renameSync(WEB_BUILD_DIR, old);
    renameSync(fresh, WEB_BUILD_DIR);
  } catch {
    // another test file moved its build (of the same sources) in meanwhile
  }
  rmSync(fresh, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A phone: 390 x 844 CSS pixels, touch. */
export function phoneContext(browser: Browser, opts: { locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: opts.locale ?? 'en-GB' });
}

const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

