import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Network, RedisInstance } from '../src/index.js'

const support = Network.support()
if (!support.ok) console.warn(`Network tests skipped: ${support.reason}`)

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean)
}

describe.skipIf(!support.ok)('Network: hosts in network namespaces, with partitions', () => {
  let network: Network
  let db: RedisInstance

  beforeAll(async () => {
    network = Network.create(['db', 'app'])
    db = await RedisInstance.start({ on: network.host('db') })
  })
  afterAll(async () => {
    await db?.stop()
    network?.destroy()
  })

  const ping = (timeoutSeconds: number) =>
    network.run('app', 'timeout', [String(timeoutSeconds), 'redis-cli', '-h', db.host, '-p', String(db.port), 'ping'])

  it('runs a real Redis on one host that another host reaches over the network', async () => {
    expect(db.host).toBe(network.host('db').address)
    expect(db.url).toBe(`redis://${network.host('db').address}:6379`)
    expect(await ping(5)).toEqual({ code: 0, output: 'PONG\n' })
    expect(() => db.client()).toThrow(/network namespace/)
  })

  it('a host taken off the network reaches nothing until it is put back', async () => {
    network.disconnect('app')
    const cut = await ping(1)
    expect(cut.code).not.toBe(0)
    network.reconnect('app')
    expect(await ping(5)).toEqual({ code: 0, output: 'PONG\n' })
  })

  it('adds no interface or address to the machine itself', () => {
    const machine = () => [
      execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).replace(/^\d+: /gm, ''),
      execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }),
    ]
    const before = machine()
    const extra = Network.create(['x'])
    const during = machine()
    extra.destroy()
    expect(during).toEqual(before)
  })

  it('pauses and kills a server in a namespace like one on the loopback', async () => {
    db.pause()
    expect((await ping(1)).code).not.toBe(0)
    db.resume()
    expect((await ping(5)).output).toBe('PONG\n')
    const pid = db.pid as number
    await db.kill()
    expect(() => process.kill(pid, 0)).toThrow()
    await db.restart()
    expect((await ping(5)).output).toBe('PONG\n')
  })

  it('destroy() removes every namespace it made', () => {
    const before = namespaces()
    const extra = Network.create(['x', 'y'])
    const made = namespaces().filter((n) => !before.includes(n))
    expect(made).toHaveLength(3) // two hosts and the switch
    extra.destroy()
    expect(namespaces().filter((n) => made.includes(n))).toEqual([])
  })
})
