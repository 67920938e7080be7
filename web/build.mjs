// Builds every browser app under web/ (each folder with an index.html: app, later console) with
// web/vite.config.ts into <out>/<app>, served by clubcore at /<app>. `npm run build` runs it after
// the server's tsc; tests run it into a folder of their own. Usage: node web/build.mjs [--out dir]
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const webDir = dirname(fileURLToPath(import.meta.url));

export function webAppNames() {
  return readdirSync(webDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(webDir, entry.name, 'index.html')))
    .map((entry) => entry.name);
}

export async function buildWebApps(outDir = join(webDir, '..', 'dist', 'web')) {
  for (const app of webAppNames()) {
    await build({
      configFile: join(webDir, 'vite.config.ts'),
      root: join(webDir, app),
      base: `/${app}/`,
      build: { outDir: join(resolve(outDir), app), emptyOutDir: true },
    });
    writeGzippedTwins(join(resolve(outDir), app, 'assets'));
  }
}

/** <file>.gz beside each asset that gzip makes smaller: clubcore serves those to browsers that take gzip. */
function writeGzippedTwins(assetsDir) {
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const raw = readFileSync(join(assetsDir, name));
    const gzipped = gzipSync(raw, { level: 9 });
    if (gzipped.length < raw.length) writeFileSync(join(assetsDir, `${name}.gz`), gzipped);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  await buildWebApps(at > 0 ? process.argv[at + 1] : undefined);
}
