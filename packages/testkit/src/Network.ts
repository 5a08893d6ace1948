import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process'
import { trackChild } from './processRegistry.js'

/** The subnet of every network: namespaces are isolated, so two networks never see each other's addresses. */
const SUBNET = '10.77.0'
const PREFIX = 'rrkit'

/** One host of a {@link Network}: a network namespace with one interface on the network's switch. */
export interface NetHost {
  /** The name given to `Network.create`. */
  readonly name: string
  /** Its network namespace. */
  readonly netns: string
  /** Its address on the network. */
  readonly address: string
}

/** Whether this machine lets the kit make network namespaces, and why not when it does not. */
export type NetnsSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string }

let support: NetnsSupport | undefined
const live = new Set<string>()
let exitHookInstalled = false

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function deleteNamespaces(names: Iterable<string>): void {
  for (const name of names) {
    try {
      // Killing what still runs inside first lets the namespace go at once.
      execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .forEach((pid) => {
          try {
            process.kill(Number(pid), 'SIGKILL')
          } catch {
            // already gone
          }
        })
      ip(['netns', 'del', name])
    } catch {
      // already gone
    }
  }
}

/** Removes the namespaces of kit processes that died without cleaning up (their pid is in the name). */
function reapOrphanNamespaces(): void {
  let listed: string
  try {
    listed = ip(['netns', 'list'])
  } catch {
    return
  }
  const orphans = listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)
      if (!match) return false
      try {
        process.kill(Number(match[1]), 0)
        return false
      } catch {
        return true
      }
    })
  deleteNamespaces(orphans)
}

function probeSupport(): NetnsSupport {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' }
  const probe = `${PREFIX}${process.pid}-probe`
  try {
    ip(['netns', 'add', probe])
    ip(['netns', 'del', probe])
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: `\`ip netns add\` failed: ${(err as Error).message.split('\n')[0]}` }
  }
}

/**
 * Hosts on one switched network, each in a network namespace of its own (iproute2: `ip netns`, veth pairs and a
 * bridge in a switch namespace). Everything lives in namespaces the kit makes and removes (on `destroy()`, on exit,
 * or by the next kit after a crash): no address or interface of the machine itself is touched. A host can be
 * taken off the network and put back, which is a partition as the other hosts see it. Needs root.
 */
export class Network {
  readonly #id: string
  readonly #hosts = new Map<string, NetHost & { readonly port: string }>()
  #destroyed = false

  private constructor(id: string) {
    this.#id = id
  }

  /** Whether namespaces can be made here: root and a working `ip netns`. Checked once per process. */
  static support(): NetnsSupport {
    support ??= probeSupport()
    return support
  }

  /** Makes one namespace per host name, all on one switch, addresses `10.77.0.1`, `10.77.0.2`, ... in order. */
  static create(hostNames: readonly string[]): Network {
    const supported = Network.support()
    if (!supported.ok) throw new Error(`cannot make a network: ${supported.reason}`)
    if (hostNames.length === 0 || hostNames.length > 200) throw new RangeError('a network has 1 to 200 hosts')
    if (new Set(hostNames).size !== hostNames.length) throw new TypeError('host names must be distinct')
    reapOrphanNamespaces()
    installExitHook()
    const network = new Network(`${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 8)}`)
    try {
      network.#build(hostNames)
    } catch (err) {
      network.destroy()
      throw err
    }
    return network
  }

  /** Every host, in the order given. */
  get hosts(): NetHost[] {
    return [...this.#hosts.values()].map(({ name, netns, address }) => ({ name, netns, address }))
  }

  /** The host of that name. */
  host(name: string): NetHost {
    const host = this.#hosts.get(name)
    if (!host) throw new Error(`no host '${name}' in this network`)
    return { name: host.name, netns: host.netns, address: host.address }
  }

  /** Starts a process inside a host's namespace (killed when this process exits). */
  spawn(hostName: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const host = this.host(hostName)
    const child = spawn('ip', ['netns', 'exec', host.netns, command, ...args], options)
    trackChild(child)
    return child
  }

  /** Runs a command inside a host's namespace to its end; killed after `timeoutMs` (default 10 s). */
  run(
    hostName: string,
    command: string,
    args: readonly string[],
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; output: string }> {
    const child = this.spawn(hostName, command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    child.stdout?.on('data', (c: Buffer) => chunks.push(c))
    child.stderr?.on('data', (c: Buffer) => chunks.push(c))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    return new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code) => {
        clearTimeout(timer)
        resolve({ code, output: Buffer.concat(chunks).toString('utf8') })
      })
    })
  }

  /** Takes a host off the network: its link goes down, every packet to and from it is lost until `reconnect`. */
  disconnect(hostName: string): void {
    ip(['-n', this.#switch, 'link', 'set', this.#port(hostName), 'down'])
  }

  /** Puts a host back on the network. Connections that did not time out meanwhile carry on. */
  reconnect(hostName: string): void {
    ip(['-n', this.#switch, 'link', 'set', this.#port(hostName), 'up'])
  }

  /** Kills what runs in the hosts and removes every namespace of the network. */
  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    const names = [...this.#hosts.values()].map((h) => h.netns)
    names.push(this.#switch)
    deleteNamespaces(names)
    for (const name of names) live.delete(name)
  }

  get #switch(): string {
    return `${this.#id}-sw`
  }

  #port(hostName: string): string {
    const host = this.#hosts.get(hostName)
    if (!host) throw new Error(`no host '${hostName}' in this network`)
    return host.port
  }

  #build(hostNames: readonly string[]): void {
    const sw = this.#switch
    ip(['netns', 'add', sw])
    live.add(sw)
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge'])
    ip(['-n', sw, 'link', 'set', 'br0', 'up'])
    hostNames.forEach((name, i) => {
      const netns = `${this.#id}-h${i}`
      const port = `p${i}`
      const address = `${SUBNET}.${i + 1}`
      ip(['netns', 'add', netns])
      live.add(netns)
      this.#hosts.set(name, { name, netns, address, port })
      // Both ends are created straight inside their namespaces, so no name is ever taken in the machine's own.
      ip(['link', 'add', 'eth0', 'netns', netns, 'type', 'veth', 'peer', 'name', port, 'netns', sw])
      ip(['-n', sw, 'link', 'set', port, 'master', 'br0'])
      ip(['-n', sw, 'link', 'set', port, 'up'])
      ip(['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0'])
      ip(['-n', netns, 'link', 'set', 'eth0', 'up'])
      ip(['-n', netns, 'link', 'set', 'lo', 'up'])
    })
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => deleteNamespaces(live))
}
