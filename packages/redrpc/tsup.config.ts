import { defineConfig } from 'tsup'
import base from '../../tsup.config.base'

/**
 * The shared build (ESM + CJS + .d.ts of the index), then the `redrpc` command, ESM only (bin/redrpc.js imports it;
 * nothing requires it). The build script empties dist/ first: two configs run at once, so neither may clean.
 */
export default defineConfig([
  { ...(base as object), entry: { index: 'src/index.ts' }, clean: false },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
  },
])
