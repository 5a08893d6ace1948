import { defineConfig } from 'tsup'
import base from '../../tsup.config.base'

/**
 * The shared build (ESM + CJS + .d.ts of the index) plus the `redrpc` command. The CLI keeps its `#!/usr/bin/env node`
 * line (esbuild preserves it and tsup marks the file executable); it needs no declarations.
 */
export default defineConfig({
  ...(base as object),
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  dts: { entry: { index: 'src/index.ts' } },
})
