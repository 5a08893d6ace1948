import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

describe('pnpm demo', () => {
  it('runs end to end on servers of its own, exits by itself with 0, and leaves no key behind', async () => {
    // The demo starts its own Redis servers (no REDIS_URLS), checks its own work and sets a non-zero exit code
    // when a call was lost, tokens went down, or any key is left after it cleaned up.
    const env = { ...process.env }
    delete env.REDIS_URLS
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/demo.ts'], { cwd: packageDir, env })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    clearTimeout(timer)
    expect(code, output).toBe(0)
    expect(output).toContain('keys removed')
    expect(output).not.toContain('still in Redis')
  }, 120_000)
})
