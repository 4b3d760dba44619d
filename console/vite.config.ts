import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where the hub runs while developing the console with `vite dev` (see docs/CONSOLE.md). */
const hub = process.env.SWITCHYARD_HUB_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // The hub serves the built app under /console (src/http/console-app.route.ts).
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The CSP allows no inline script: Vite's module-preload polyfill would be one.
    modulePreload: { polyfill: false },
    // Small assets inlined as data: URLs would be fine for images, but never for scripts.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1_500,
    rolldownOptions: {
      // GraphiQL's dependencies mark modules "use client" (for React server components): noise here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // Same origin in development too: the session cookie and the socket go through the proxy.
    proxy: {
      '/auth': hub,
      '/graphql': { target: hub, ws: true },
    },
  },
});
