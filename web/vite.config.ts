/**
 * Builds the dashboard (web/src) into web/dist, which the controller serves when given `webRoot`.
 * Run from the repository root: `npx vite build web`.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      input: { main: 'index.html', 'topology-bench': 'topology-bench.html' },
    },
  },
});
