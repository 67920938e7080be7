import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { Browser } from 'playwright-core';
import supertest from 'supertest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { errorHandler } from '../../src/http/problem.js';
import { staticWebApp, WEB_BUILD_DIR } from '../../src/web/static.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { ensureWebBuild, launchChromium, phoneContext, screenshot } from './support.js';

/** A club's website on another origin (another port), embedding the app with the README's snippet. */
async function clubWebsite(): Promise<{ url: string; server: Server }> {
  const readme = readFileSync(join(WEB_BUILD_DIR, '..', '..', 'README.md'), 'utf8');
  const snippet = /```html\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Member app')))![1]!;
  const server = createServer((req, res) => {
    const app = new URL(req.url!, 'http://x').searchParams.get('app')!;
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>Club</title><h1>Our classes</h1>${snippet.replace('https://clubcore.example', app)}`);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('serving the member app at /app', () => {
  let app: TestApp;
  let website: { url: string; server: Server };
  let browser: Browser;
  const builtApp = join(WEB_BUILD_DIR, 'app');
  /** The app as a server with the default frame setting (own origin only) serves it. */
  const sameOriginOnly = () => express().use(staticWebApp({ path: '/app', dir: builtApp, title: 'The member app', frameOrigins: [] })).use(errorHandler);

  beforeAll(async () => {
    ensureWebBuild();
    website = await clubWebsite();
    app = await startTestApp({ APP_FRAME_ORIGINS: `https://www.club.example, ${website.url}` });
  });
  afterAll(async () => {
    await browser?.close();
    website?.server.close();
    await app?.close();
  });

  it('answers index.html for the app and its pages, revalidated each time, with the configured frame origins exactly', async () => {
    for (const path of ['/app', '/app/', '/app/bookings']) {
      const res = await app.http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<div id="root"></div>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain(`frame-ancestors https://www.club.example ${website.url}`);
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
    const own = await supertest(sameOriginOnly()).get('/app/').expect(200);
    expect(own.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(own.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves the hashed assets for a year, gzipped to browsers that take it, and 404s one that is not in the build', async () => {
    const script = readdirSync(join(builtApp, 'assets')).find((f) => f.endsWith('.js'))!;
    const gzipped = await app.http.get(`/app/assets/${script}`).set('accept-encoding', 'gzip').expect(200);
    expect(gzipped.headers).toMatchObject({ 'cache-control': 'public, max-age=31536000, immutable', 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
    expect(gzipped.headers['content-type']).toMatch(/^text\/javascript/);
    expect(gzipped.text).toBe(readFileSync(join(builtApp, 'assets', script), 'utf8'));
    const plain = await app.http.get(`/app/assets/${script}`).set('accept-encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBeGreaterThan(Number(gzipped.headers['content-length']));
    const missing = await app.http.get('/app/assets/index-gone.js').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    await app.http.post('/app/').expect(404);
  });

  it('says to run npm run build while the app is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'clubcore-no-web-'));
    try {
      const res = await supertest(express().use(staticWebApp({ path: '/app', dir: empty, title: 'The member app', frameOrigins: [] })).use(errorHandler)).get('/app/bookings');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.detail).toMatch(/The member app is not built on this server: run npm run build/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('lets exactly the configured origins frame it: the README snippet works there and sizes the frame; elsewhere the browser refuses', async () => {
    browser = await launchChromium();
    const page = await (await phoneContext(browser)).newPage();
    await page.goto(`${website.url}/?app=${encodeURIComponent(`${app.url}/app/`)}`);
    await page.frameLocator('#club-classes').getByRole('heading', { name: 'Sign in to book classes' }).waitFor();
    // the snippet took the app's height from its message
    await page.waitForFunction(() => (globalThis as any).document.getElementById('club-classes').style.height !== '760px');
    await screenshot(page, 'portal-embedded');

    const refusing = sameOriginOnly().listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => refusing.once('listening', resolve));
      const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
      await page.goto(`${website.url}/?app=${encodeURIComponent(`http://127.0.0.1:${(refusing.address() as AddressInfo).port}/app/`)}`);
      await refused;
      expect(await page.frameLocator('#club-classes').getByRole('heading').count()).toBe(0);
    } finally {
      refusing.close();
    }
  });

  it('takes only origins in APP_FRAME_ORIGINS', () => {
    expect(loadConfig({ APP_FRAME_ORIGINS: 'https://Club.Example/, http://127.0.0.1:8080' }).APP_FRAME_ORIGINS).toEqual(['https://club.example', 'http://127.0.0.1:8080']);
    expect(loadConfig({}).APP_FRAME_ORIGINS).toEqual([]);
    for (const bad of ['https://club.example/classes', 'club.example', 'ftp://club.example', "'self'"]) {
      expect(() => loadConfig({ APP_FRAME_ORIGINS: bad })).toThrow(ConfigError);
    }
  });

  it('gives members the club’s locations with their time zones (GET /me/locations)', async () => {
    const admin = { authorization: `Bearer ${await app.staffToken()}` };
    const location = (await app.http.post('/api/v1/admin/locations').set(admin).send({ name: 'Harbour', timezone: 'Europe/Berlin' }).expect(201)).body;
    const client = (await app.http.post('/api/v1/admin/clients').set(admin).send({ firstName: 'A', lastName: 'Member' }).expect(201)).body;
    const res = await app.http.get('/api/v1/me/locations').set({ authorization: `Bearer ${await app.clientToken(client.id)}` }).expect(200);
    expect(res.body).toEqual({ items: [{ id: location.id, name: 'Harbour', timezone: 'Europe/Berlin' }] });
    await app.http.get('/api/v1/me/locations').expect(401);
  });
});
