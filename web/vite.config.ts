/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The backend serves web/dist (embedded in the binary). For `npm run dev`, API and WebSocket
// requests are proxied to a running `hovor` (HOVOR_API, default http://127.0.0.1:8080).
declare const process: { env: Record<string, string | undefined> };
const api = process.env.HOVOR_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // No inline scripts anywhere (CSP: script-src 'self').
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: false },
      '/healthz': { target: api },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
