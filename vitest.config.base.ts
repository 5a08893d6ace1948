import { defineConfig } from 'vitest/config'

/** Shared by every package: real Redis servers take a moment to start, and faults are injected on purpose. */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    include: ['test/**/*.test.ts'],
    reporters: ['default'],
  },
})
