import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

/*
 * The browser apps clubcore serves itself (no CDN, nothing fetched at run time): each is built by
 * `npm run build` (web/build.mjs) into dist/web/<name> and served at /<name>. Hashed files under
 * assets/ never change, so browsers keep them for a year (gzipped when the browser takes it);
 * index.html is revalidated on every load, so a new build reaches members at their next start. Any
 * other path under the app is one of its client routes and gets index.html.
 */

/** dist/web under the package root: the nearest package.json up from here (the compiled file sits deeper than its source). */
function webBuildDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}

export const WEB_BUILD_DIR = webBuildDir();

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Who may frame the app: the configured origins exactly (a club's website embedding it), else only
 * clubcore's own origin. X-Frame-Options cannot name other origins, so it is sent only for the default.
 */
function securityHeaders(frameOrigins: string[]): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameOrigins.length ? frameOrigins.join(' ') : "'self'"}`,
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    ...(frameOrigins.length ? {} : { 'X-Frame-Options': 'SAMEORIGIN' }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
  };
}

/** A hashed asset's gzipped twin (written by the build) for a browser that takes gzip: a third of the bytes on a phone's network. */
function gzippedTwin(assetsDir: string): RequestHandler {
  return (req, _res, next) => {
    const name = req.path.slice(1);
    if (/^[\w.-]+$/.test(name) && req.acceptsEncodings('gzip') === 'gzip' && existsSync(join(assetsDir, `${name}.gz`))) req.url = `/${name}.gz`;
    next();
  };
}

function encodingHeaders(res: Response, file: string): void {
  res.set('Vary', 'Accept-Encoding');
  if (!file.endsWith('.gz')) return;
  res.set('Content-Encoding', 'gzip');
  res.type(extname(file.slice(0, -3)));
}

/** One built app at `path`, from `dir`; 503 saying how to build it while its index.html is missing. */
export function staticWebApp(opts: { path: string; dir: string; title: string; frameOrigins: string[] }): Router {
  const router = Router();
  const headers = securityHeaders(opts.frameOrigins);
  const indexFile = join(opts.dir, 'index.html');
  router.use(opts.path, (_req, res, next) => {
    res.set(headers);
    next();
  });
  router.use(
    `${opts.path}/assets`,
    gzippedTwin(join(opts.dir, 'assets')),
    express.static(join(opts.dir, 'assets'), { index: false, immutable: true, maxAge: YEAR_SECONDS * 1000, setHeaders: encodingHeaders }),
    () => {
      throw AppError.notFound('There is no such file in this build of the app; reload the page to get the current one');
    },
  );
  router.use(opts.path, express.static(opts.dir, { index: false, redirect: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  router.get([opts.path, `${opts.path}/{*clientRoute}`], (_req, res, next) => {
    res.sendFile(indexFile, { cacheControl: false, headers: { 'Cache-Control': 'no-cache' } }, (err?: NodeJS.ErrnoException) => {
      if (!err) return;
      if (err.code !== 'ENOENT') return next(err);
      next(AppError.unavailable(`${opts.title} is not built on this server: run npm run build (it builds the server and the web apps)`));
    });
  });
  return router;
}

/**
 * The member app at /app (the club's web portal and the EGYM app's tile: framed by the configured
 * origins) and the manager console at /console (never framed by another site).
 */
export function webAppsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(staticWebApp({ path: '/app', dir: join(WEB_BUILD_DIR, 'app'), title: 'The member app', frameOrigins: ctx.config.APP_FRAME_ORIGINS }));
  router.use(staticWebApp({ path: '/console', dir: join(WEB_BUILD_DIR, 'console'), title: 'The manager console', frameOrigins: [] }));
  return router;
}
