import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web UI, built into dist/web/ (npm run build:web, part of `npm run build`, so of `npm ci`) and served by
 * the same process at `/` (src/http/ui.ts) or by Workers as static assets. `npm run dev:web` proxies the API
 * to a Pedigree on :5000.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // Reported by the build and by the bench: the first load is what matters, the graph code loads lazily.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/api': 'http://localhost:5000', '/openapi.json': 'http://localhost:5000' },
  },
});
