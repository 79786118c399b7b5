/**
 * Builds the web console into dist/console, served by every gateway at /console/.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: { outDir: '../dist/console', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000, sourcemap: false },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
