/**
 * Builds the dashboard (web/src) into web/dist, which the controller serves when given `webRoot`.
 * Run from the repository root: `npx vite build web`. `npx vite web` serves it with hot reload and
 * forwards the API (and its WebSocket) to a controller on its default address.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  base: './',
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      input: { main: 'index.html', 'topology-bench': 'topology-bench.html' },
    },
  },
});
