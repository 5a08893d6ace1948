import { Redlock } from '@org/redlock'
import { type RedisGroup, startRedis } from '@org/testkit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedRpc } from '../src/index.js'
import { lockAcl, rpcAcl } from './acl.js'

let group: RedisGroup
beforeAll(async () => {
  group = await startRedis({ count: 2 })
})
afterAll(async () => {
  await group?.stop()
})

describe('the whole stack runs with a Redis user restricted to the documented ACL', () => {
  it('a provider and a caller (and a Redlock) work as the restricted users, and nothing is denied', async () => {
    const [rpc, lock] = group.instances as [(typeof group.instances)[0], (typeof group.instances)[0]]
    const admin = rpc.client()
    const lockAdmin = lock.client()
    await admin.call('ACL', 'SETUSER', 'rpc', ...rpcAcl('shop', 's3cret'))
    await lockAdmin.call('ACL', 'SETUSER', 'locker', ...lockAcl('redlock:', 'l0ck'))
    await admin.call('ACL', 'LOG', 'RESET')
    await lockAdmin.call('ACL', 'LOG', 'RESET')
    const as = (port: number, username: string, password: string) => new Redis({ port, username, password })
    const clients = [as(rpc.port, 'rpc', 's3cret'), as(rpc.port, 'rpc', 's3cret'), as(lock.port, 'locker', 'l0ck')]
    const [providerRedis, callerRedis, lockRedis] = clients as [Redis, Redis, Redis]
    // The user really is restricted: a key outside the namespace is refused.
    await expect(providerRedis.set('other:key', '1')).rejects.toThrow(/NOPERM/)
    await admin.call('ACL', 'LOG', 'RESET')

    const rlock = new Redlock([lockRedis], { resources: { Resource_A: { ttl: 5_000 } } })
    const provider = new RedRpc(rlock, [providerRedis], { namespace: 'shop' })
    await provider.registerService('acl_service', {
      ping: () => 'pong',
      token: { lock: 'Resource_A', handler: (_p: unknown, ctx) => ctx.lock.fencingToken },
    })
    await provider.registerProvider('acl', { count: 2 })
    const caller = new RedRpc(null, [callerRedis], { namespace: 'shop' })
    await caller.waitForServices(['acl_service'])
    const api = caller.getInstance('acl_service')
    expect(await api.callApi('ping')).toBe('pong')
    expect(typeof (await api.callApi('token'))).toBe('bigint')
    await caller.close()
    await provider.close()
    expect(await new RedRpc(null, [callerRedis], { namespace: 'shop' }).unregisterService('acl_service')).toBe(true)
    await rlock.quit()
    await Promise.all(clients.map((c) => c.quit()))
    // Nothing the stack did was refused along the way (background work included).
    expect(await admin.call('ACL', 'LOG')).toEqual([])
    expect(await lockAdmin.call('ACL', 'LOG')).toEqual([])
  })

  it('read-write locks, semaphores and inspect work as a Redlock user with the documented extra rights', async () => {
    const lock = group.instances[1]!
    const lockAdmin = lock.client()
    await lockAdmin.call('ACL', 'SETUSER', 'family', ...lockAcl('redlock:', 'f4m', true))
    await lockAdmin.call('ACL', 'LOG', 'RESET')
    const lockRedis = new Redis({ port: lock.port, username: 'family', password: 'f4m' })
    const rlock = new Redlock([lockRedis])
    const rw = rlock.readWrite('acl:doc')
    const [r1, r2] = await Promise.all([rw.read(5_000), rw.read(5_000)])
    expect((await rlock.inspect('acl:doc')).agreed).toBeGreaterThanOrEqual(1)
    await Promise.all([r1.release(), r2.release()])
    const w = await rw.write(5_000)
    await w.extend(5_000)
    await w.release()
    const sem = rlock.semaphore('acl:vendor', { permits: 2, ttl: 5_000 })
    const permits = await Promise.all([sem.acquire(), sem.acquire()])
    await Promise.all(permits.map((p) => p.release()))
    await rlock.quit()
    await lockRedis.quit()
    expect(await lockAdmin.call('ACL', 'LOG')).toEqual([])
  })
})
