import { defineConfig } from 'vitest/config';
import packageJson from './package.json' with { type: 'json' };

export default defineConfig({
  // Relative asset paths: the built site works from any static host or a plain folder.
  base: './',
  define: { __APP_VERSION__: JSON.stringify(packageJson.version) },
  // HyperFormula and Handsontable make one large chunk; it is what the page is.
  build: { chunkSizeWarningLimit: 4000 },
  // The engine runs in a module worker, which loads exceljs only when it is needed.
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
