import { defineConfig, mergeConfig } from 'vitest/config'
import base from '../../vitest.config.base.ts'

/** npm installs and a TypeScript compile per fresh project take longer than a Redis test; packing happens once. */
export default mergeConfig(
  base,
  defineConfig({
    test: { globalSetup: ['./test/globalSetup.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
  }),
)
