import { defineConfig } from 'tsup'

/** One build for every published package: ESM + CJS + .d.ts, for Node 20 and later. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
})
