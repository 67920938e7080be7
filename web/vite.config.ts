import { defineConfig } from 'vite';

/*
 * What every browser app under web/ shares (the member app, later the manager console): Preact's
 * JSX, browsers of the last years (phone WebViews included), no source maps shipped. build.mjs
 * builds each app folder with this config, its own root, base path (/<app>/) and output folder.
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: ['es2020', 'safari14', 'chrome87'],
    sourcemap: false,
    reportCompressedSize: false,
    // the apps load as one script (no dynamic imports: each would cost a round trip on a slow phone network), so no preload polyfill
    modulePreload: { polyfill: false },
  },
  logLevel: 'warn',
});
