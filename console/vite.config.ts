/**
 * Builds the console into console/dist, served by the control plane at `/`.
 * Everything is bundled: the console fetches nothing from outside (it works offline).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 8192,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite console` during development: the API of a running instance.
    proxy: { '/api': process.env.GRAYMESH_URL ?? 'http://127.0.0.1:8080' },
  },
});
