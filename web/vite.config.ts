import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the Nest server under /ui/ (src/web-ui), from dist/web.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [react()],
  // `npm run dev:web`: the app with hot reload on :5173, the API of a server started with `npm start`.
  server: {
    proxy: Object.fromEntries(['/api', '/docs'].map((path) => [path, process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:3000'])),
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Content-Security-Policy allows scripts from 'self' only: no inline preload polyfill.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 450,
  },
});
