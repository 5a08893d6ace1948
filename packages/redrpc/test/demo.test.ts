import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** Runs the demo on servers of its own (no REDIS_URLS); resolves with its exit code and everything it printed. */
async function runDemo(args: string[]): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env }
  delete env.REDIS_URLS
  delete env.DEMO_TRACE
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/demo.ts', ...args], { cwd: packageDir, env })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')))
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')))
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  return { code, output }
}

describe('pnpm demo', () => {
  it('runs end to end on servers of its own, exits by itself with 0, and leaves no key behind', async () => {
    // The demo checks its own work and sets a non-zero exit code when a call was lost, tokens went down, or any key
    // is left after it cleaned up.
    const { code, output } = await runDemo([])
    expect(code, output).toBe(0)
    expect(output).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//)
    expect(output).toContain('keys removed')
    expect(output).not.toContain('still in Redis')
    expect(output).not.toContain('[CLIENT]')
  }, 120_000)

  it('--trace prints one call as a tree: caller span -> provider span -> lock wait and hold', async () => {
    const { code, output } = await runDemo(['--trace'])
    expect(code, output).toBe(0)
    const lines = output.split('\n')
    const at = lines.findIndex((l) => l.includes('test_service/getResource [CLIENT]'))
    expect(at, output).toBeGreaterThan(0)
    expect(lines[at - 1]).toMatch(/trace [0-9a-f]{32}/)
    expect(lines[at]).toContain('provider=test_provider-')
    expect(lines[at + 1]).toMatch(/^ {3}└─ test_service\/getResource \[SERVER\] [\d.]+ ms/)
    expect(lines[at + 2]).toMatch(/^ {6}├─ redrpc\.lock\.wait \[INTERNAL\] [\d.]+ ms {2}lock\.resources=Resource_A/)
    expect(lines[at + 3]).toMatch(/^ {6}└─ redrpc\.lock\.hold \[INTERNAL\] [\d.]+ ms .*lock\.fencing_token=\d+/)
  }, 120_000)
})
