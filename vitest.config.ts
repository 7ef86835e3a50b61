import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: more workers than that only adds contention.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
