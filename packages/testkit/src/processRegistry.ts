import { type ChildProcess, execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'

/**
 * Every redis-server the kit starts carries this marker in its process title, with the pid of the process that
 * owns it, so the kit (and `ps`) can tell its own servers from any other and never touch the others.
 */
export const PROCESS_MARKER = 'redrpc-testkit'

/** The process title template given to each server the kit starts. */
export function procTitleTemplate(): string {
  return `{title} {listen-addr} {server-mode} ${PROCESS_MARKER}:owner=${process.pid}`
}

const children = new Set<ChildProcess>()
const directories = new Set<string>()
let hooksInstalled = false
let orphansReaped = false

function killAllNow(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  children.clear()
  for (const dir of directories) rmSync(dir, { recursive: true, force: true })
  directories.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow()
  // Only when nobody else handles the signal do we restore its default effect (ending the process).
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal)
    process.kill(process.pid, signal)
  }
}

function installHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  // 'exit' handlers must be synchronous: SIGKILL and rmSync are.
  process.on('exit', killAllNow)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
}

/** Tracks a child so it is killed when this process exits, also on Ctrl-C or SIGTERM. */
export function trackChild(child: ChildProcess): void {
  installHooks()
  children.add(child)
  child.once('exit', () => children.delete(child))
}

/** Tracks a data directory so it is removed when this process exits. */
export function trackDirectory(dir: string): void {
  installHooks()
  directories.add(dir)
}

/** Forgets a directory that was removed already. */
export function untrackDirectory(dir: string): void {
  directories.delete(dir)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Servers started by the kit (any process), as `{ pid, owner }`, read from `ps`. */
export function listKitServers(): { pid: number; owner: number; title: string }[] {
  let out: string
  try {
    out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  } catch {
    return []
  }
  const found: { pid: number; owner: number; title: string }[] = []
  const pattern = new RegExp(`^\\s*(\\d+)\\s+(.*${PROCESS_MARKER}:owner=(\\d+).*)$`)
  for (const line of out.split('\n')) {
    const m = pattern.exec(line)
    if (m?.[1] && m[2] && m[3]) found.push({ pid: Number(m[1]), title: m[2], owner: Number(m[3]) })
  }
  return found
}

/**
 * Kills servers left behind by a kit whose owning process died without cleaning up (SIGKILLed test worker).
 * Only servers carrying the kit's marker and a dead owner are touched. Runs once per process.
 */
export function reapOrphans(): number {
  if (orphansReaped) return 0
  orphansReaped = true
  let reaped = 0
  for (const server of listKitServers()) {
    if (server.owner !== process.pid && !isAlive(server.owner)) {
      try {
        process.kill(server.pid, 'SIGKILL')
        reaped++
      } catch {
        // gone meanwhile
      }
    }
  }
  return reaped
}
