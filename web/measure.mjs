// The member app on a slow phone network: bytes of the first load (gzip, as sent) and the time to a
// usable class list (the first class with its button), in Debian's Chromium with the network
// throttled through CDP. Starts clubcore's zero-config demo (a temp SQLite file) and measures the
// EGYM tile (the demo's printed EGYM token as Portals context) and the web portal (the demo
// member, signed in before). Not a test: it prints numbers. Run `npm run build` first, then:
//   node web/measure.mjs [--down-kbps 400] [--up-kbps 400] [--rtt-ms 400] [--runs 3]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const network = { downKbps: option('down-kbps', 400), upKbps: option('up-kbps', 400), rttMs: option('rtt-ms', 400) };
const runs = option('runs', 3);

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** clubcore's demo on a free port; resolves with its URL and start-up banner once it is up. */
async function startDemo() {
  const port = await freePort();
  const sqlite = join(tmpdir(), `clubcore-measure-${process.pid}.sqlite`);
  const child = spawn(process.execPath, [join(root, 'dist/src/cli.js'), 'serve'], {
    env: { ...process.env, PORT: String(port), SQLITE_FILE: sqlite, DEMO: 'true', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let banner = '';
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      banner += chunk;
      if (banner.includes('EGYM app token')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`clubcore exited (${code}):\n${banner}`)));
  });
  const stop = () => {
    child.kill('SIGTERM');
    for (const f of [sqlite, `${sqlite}-wal`, `${sqlite}-shm`]) rmSync(f, { force: true });
  };
  return { url: `http://127.0.0.1:${port}`, banner, stop };
}

// Set before the app's scripts run: when the first class with a button appears (ms since navigation start).
function recordFirstUsableClass() {
  new MutationObserver((_, observer) => {
    if (document.querySelector('li.class button')) {
      window.firstUsableClassAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}

/** One cold load (empty cache) over the throttled network: ms to a usable class list and bytes per kind. */
async function loadOnce(browser, url, prepare) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: network.rttMs,
    downloadThroughput: (network.downKbps * 1000) / 8,
    uploadThroughput: (network.upKbps * 1000) / 8,
  });
  const urls = new Map();
  const bytes = { app: 0, api: 0 };
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on('Network.loadingFinished', (e) => {
    const path = urls.get(e.requestId) ?? '';
    bytes[path.startsWith('/api/') ? 'api' : 'app'] += e.encodedDataLength;
  });
  await page.addInitScript(recordFirstUsableClass);
  await prepare(page);
  await page.goto(`${url}/app/`);
  await page.waitForFunction(() => window.firstUsableClassAt !== undefined, null, { timeout: 120_000 });
  const ms = await page.evaluate(() => window.firstUsableClassAt);
  await context.close();
  return { ms, bytes };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const demo = await startDemo();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const egymToken = /auth\/egym \{"token":"([^"]+)"\}/.exec(demo.banner)[1];
  const [, login, password] = /Demo member sign-in: (\S+) \/ (\S+)/.exec(demo.banner);
  const signedIn = await (await fetch(`${demo.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) })).json();
  const kept = { token: signedIn.token, expiresAt: signedIn.expiresAt, firstName: signedIn.client.firstName, homeLocationId: signedIn.client.homeLocationId };
  const scenarios = {
    'EGYM tile (Portals context -> /auth/egym -> classes)': (page) => page.addInitScript((token) => (window.portalInitialContext = { name: 'egym', value: { authToken: token } }), egymToken),
    'web portal, signed in before (-> classes)': (page) => page.addInitScript((member) => localStorage.setItem('clubcore.member', JSON.stringify(member)), kept),
  };
  console.log(`Network: ${network.downKbps} kbit/s down, ${network.upKbps} kbit/s up, ${network.rttMs} ms RTT; cold cache; median of ${runs} loads`);
  for (const [name, prepare] of Object.entries(scenarios)) {
    const loads = [];
    for (let i = 0; i < runs; i++) loads.push(await loadOnce(browser, demo.url, prepare));
    const ms = median(loads.map((l) => l.ms));
    const app = median(loads.map((l) => l.bytes.app));
    const api = median(loads.map((l) => l.bytes.api));
    console.log(`${name}: usable class list after ${Math.round(ms)} ms; transferred: app ${(app / 1024).toFixed(1)} kB (html, js, css), API ${(api / 1024).toFixed(1)} kB`);
  }
} finally {
  await browser.close();
  demo.stop();
}
