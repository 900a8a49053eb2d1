import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Relative asset paths: the built site works from any static host or a plain folder.
  base: './',
  server: { host: '127.0.0.1', port: 5173 },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
