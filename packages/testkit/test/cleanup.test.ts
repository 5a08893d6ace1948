import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { findRedisServer, RedisNotFoundError, startRedis, waitFor } from '../src/index.js'
import { alive, spawnOwner } from './helpers.js'

describe('servers never outlive the process that started them', () => {
  it('are killed when the owner is interrupted (Ctrl-C)', async () => {
    const { child, pid } = await spawnOwner()
    expect(alive(pid)).toBe(true)
    child.kill('SIGINT')
    await once(child, 'exit')
    await waitFor(() => !alive(pid), { what: `redis-server ${pid} to end` })
  })

  it('are killed when the owner is terminated (SIGTERM)', async () => {
    const { child, pid } = await spawnOwner()
    child.kill('SIGTERM')
    await once(child, 'exit')
    await waitFor(() => !alive(pid), { what: `redis-server ${pid} to end` })
  })

  it('are reaped by the next kit when the owner was SIGKILLed and could not clean up', async () => {
    const { child, pid } = await spawnOwner()
    child.kill('SIGKILL')
    await once(child, 'exit')
    expect(alive(pid)).toBe(true) // orphaned, for now
    // A fresh process (this test file's kit has reaped once already) reaps orphans when it starts a server.
    const { child: next } = await spawnOwner()
    try {
      await waitFor(() => !alive(pid), { what: `orphan ${pid} to be reaped` })
    } finally {
      next.kill('SIGTERM')
      await once(next, 'exit')
    }
  })
})

describe('finding redis-server', () => {
  it('fails with one clear sentence when REDIS_SERVER points nowhere', async () => {
    const saved = process.env.REDIS_SERVER
    process.env.REDIS_SERVER = '/nonexistent/redis-server'
    try {
      expect(() => findRedisServer()).toThrow(RedisNotFoundError)
      expect(() => findRedisServer()).toThrow(/REDIS_SERVER is set to \/nonexistent\/redis-server/)
      await expect(startRedis()).rejects.toThrow(RedisNotFoundError)
    } finally {
      if (saved === undefined) delete process.env.REDIS_SERVER
      else process.env.REDIS_SERVER = saved
    }
  })

  it('tells how to install it when it is not on the PATH', () => {
    const saved = { path: process.env.PATH, server: process.env.REDIS_SERVER }
    process.env.PATH = '/nonexistent'
    delete process.env.REDIS_SERVER
    try {
      expect(() => findRedisServer()).toThrow(/redis-server was not found on the PATH: install it/)
    } finally {
      process.env.PATH = saved.path
      if (saved.server !== undefined) process.env.REDIS_SERVER = saved.server
    }
  })
})
