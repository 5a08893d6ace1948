import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Redis, { type RedisOptions } from 'ioredis'
import { findRedisServer } from './findRedisServer.js'
import { freePort } from './freePort.js'
import type { NetHost } from './Network.js'
import { procTitleTemplate, reapOrphans, trackChild, trackDirectory, untrackDirectory } from './processRegistry.js'

/** How one server is started. */
export interface InstanceOptions {
  /** Keep data across `restart()` (append-only file, fsync on every write). Default false. */
  persistence?: boolean
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  extraArgs?: string[]
  /** The cluster bus port (port + 10000) must be free too. */
  needsBusPort?: boolean
  /**
   * Run on a host of a {@link Network} (its own namespace, port 6379 on the host's address) instead of on the
   * loopback: it is then reached only from processes started in that network, not by `client()`.
   */
  on?: NetHost
}

/** The port of a server that has a network namespace to itself. */
const NAMESPACE_PORT = 6379

const READY = /Ready to accept connections/
const ADDRESS_IN_USE = /Address already in use|Could not create server TCP listening socket/
const START_TIMEOUT_MS = 10_000
const LOG_TAIL_LINES = 40

/** A real redis-server process on a loopback port, started by the kit and stopped by it. */
export class RedisInstance {
  /** Its data directory, under the OS temp dir; removed by `stop()`. */
  readonly dir: string
  #port = 0
  #child: ChildProcess | undefined
  #paused = false
  #stopped = false
  #log: string[] = []
  readonly #clients = new Set<Redis>()
  readonly #options: InstanceOptions

  private constructor(options: InstanceOptions) {
    this.#options = options
    this.dir = mkdtempSync(join(tmpdir(), 'redrpc-testkit-'))
    trackDirectory(this.dir)
  }

  /** Starts a server on a free port; retries on another port when one is taken meanwhile. */
  static async start(options: InstanceOptions = {}): Promise<RedisInstance> {
    reapOrphans()
    const instance = new RedisInstance(options)
    let lastError: unknown
    for (let attempt = 0; attempt < 5; attempt++) {
      // A namespace of its own has every port free; the loopback is shared with everything else on the machine.
      instance.#port = options.on ? NAMESPACE_PORT : await freePort(options.needsBusPort)
      try {
        await instance.#spawn()
        return instance
      } catch (err) {
        lastError = err
        if (!(err instanceof PortTakenError)) break
      }
    }
    await instance.stop()
    throw lastError
  }

  /** The address it listens on: `127.0.0.1`, or its network host's address. */
  get host(): string {
    return this.#options.on?.address ?? '127.0.0.1'
  }

  /** Its TCP port. */
  get port(): number {
    return this.#port
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://${this.host}:${this.#port}`
  }

  /** The pid of the running server, if it runs. */
  get pid(): number | undefined {
    return this.#child?.pid
  }

  /** True while the process exists (also when paused). */
  get running(): boolean {
    return this.#child !== undefined
  }

  /** The last lines the server logged, for error messages. */
  get logTail(): string {
    return this.#log.join('\n')
  }

  /** A new ioredis client to this server; closed by `stop()`. */
  client(options: RedisOptions = {}): Redis {
    if (this.#options.on) {
      throw new Error(
        `redis on ${this.#options.on.name} lives in a network namespace: reach it from a process started there`,
      )
    }
    const client = new Redis({ host: this.host, port: this.#port, ...options })
    // A client of a killed server reconnects forever and logs; tests look at errors through their calls instead.
    client.on('error', () => {})
    this.#clients.add(client)
    client.once('end', () => this.#clients.delete(client))
    return client
  }

  /** SIGKILL: the server dies at once, without saving anything. Resolves when the process is gone. */
  async kill(): Promise<void> {
    await this.#signalAndWait('SIGKILL')
  }

  /** SIGSTOP: the server freezes; connections stay open but nothing is answered until `resume()`. */
  pause(): void {
    if (!this.#child) throw new Error(`redis on port ${this.#port} is not running`)
    this.#child.kill('SIGSTOP')
    this.#paused = true
  }

  /** SIGCONT: a paused server goes on. */
  resume(): void {
    if (!this.#child) throw new Error(`redis on port ${this.#port} is not running`)
    this.#child.kill('SIGCONT')
    this.#paused = false
  }

  /**
   * Stops the server if it runs (SIGTERM, so a persistent one flushes its file; SIGKILL when paused) and starts it
   * again on the same port. Data survives only with `persistence`.
   */
  async restart(): Promise<void> {
    if (this.#stopped) throw new Error('cannot restart a stopped instance')
    if (this.#child) await this.#signalAndWait(this.#paused ? 'SIGKILL' : 'SIGTERM')
    await this.#spawn()
  }

  /** Kills the server, closes the clients made by `client()` and removes the data directory. */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const client of this.#clients) client.disconnect()
    this.#clients.clear()
    if (this.#child) await this.#signalAndWait('SIGKILL')
    rmSync(this.dir, { recursive: true, force: true })
    untrackDirectory(this.dir)
  }

  #args(): string[] {
    const persistence = this.#options.persistence
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no']
    return [
      '--port',
      String(this.#port),
      '--bind',
      this.host,
      '--dir',
      this.dir,
      '--save',
      '',
      ...persistence,
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      '--logfile',
      '',
      '--proc-title-template',
      procTitleTemplate(),
      ...(this.#options.extraArgs ?? []),
    ]
  }

  #spawn(): Promise<void> {
    const on = this.#options.on
    // `ip netns exec` execs the server in place, so the child's pid is the server's (signals reach it directly).
    const child = on
      ? spawn('ip', ['netns', 'exec', on.netns, findRedisServer(), ...this.#args()], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(findRedisServer(), this.#args(), { stdio: ['ignore', 'pipe', 'pipe'] })
    this.#log = []
    this.#paused = false
    trackChild(child)
    return new Promise<void>((resolve, reject) => {
      let ready = false
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(
          new Error(`redis-server on port ${this.#port} was not ready within ${START_TIMEOUT_MS} ms:\n${this.logTail}`),
        )
      }, START_TIMEOUT_MS)
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line) continue
          this.#log.push(line)
          if (this.#log.length > LOG_TAIL_LINES) this.#log.shift()
          if (!ready && READY.test(line)) {
            ready = true
            clearTimeout(timer)
            this.#child = child
            resolve()
          }
        }
      }
      // Keep draining the pipes for the server's whole life, or it would block on a full pipe.
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      child.once('exit', (code, signal) => {
        if (this.#child === child) this.#child = undefined
        if (ready) return
        clearTimeout(timer)
        const why = `redis-server on port ${this.#port} exited before it was ready (code ${code}, signal ${signal}):\n${this.logTail}`
        reject(ADDRESS_IN_USE.test(this.logTail) ? new PortTakenError(why) : new Error(why))
      })
    })
  }

  async #signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child
    if (!child) return
    if (child.exitCode !== null || child.signalCode !== null) {
      this.#child = undefined
      return
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    if (this.#paused && signal !== 'SIGKILL') child.kill('SIGCONT')
    child.kill(signal)
    const timeout = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timeout)
    this.#child = undefined
    this.#paused = false
  }
}

class PortTakenError extends Error {}
