import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts the fixture that owns one server, and reads the server's pid from it. */
export async function spawnOwner(): Promise<{ child: ChildProcess; pid: number; port: number }> {
  const fixture = fileURLToPath(new URL('./fixtures/ownsServer.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  return { child, ...(JSON.parse(line.toString()) as { pid: number; port: number }) }
}
