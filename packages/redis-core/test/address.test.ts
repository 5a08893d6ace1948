import { Cluster, Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { connectionFailure, nodeAddresses } from '../src/index.js'

describe('nodeAddresses', () => {
  it('reads host:port, a socket path, or a Cluster’s startup nodes from the options, without connecting', () => {
    const plain = new Redis({ host: '127.0.0.1', port: 7001, lazyConnect: true })
    const socket = new Redis({ path: '/tmp/redis.sock', lazyConnect: true })
    const cluster = new Cluster([{ host: '10.0.0.1', port: 7000 }, '10.0.0.2:7001'], { lazyConnect: true })
    expect(nodeAddresses(plain)).toEqual(['127.0.0.1:7001'])
    expect(nodeAddresses(socket)).toEqual(['/tmp/redis.sock'])
    expect(nodeAddresses(cluster)).toEqual(['10.0.0.1:7000', '10.0.0.2:7001'])
    for (const c of [plain, socket, cluster]) c.disconnect()
  })
})

describe('connectionFailure', () => {
  it('classifies by the socket error code, and ioredis’ “Connection is closed.”', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code })
    expect(connectionFailure(withCode('ECONNREFUSED'))).toBe('refused')
    expect(connectionFailure(withCode('ETIMEDOUT'))).toBe('timeout')
    for (const code of ['ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']) {
      expect(connectionFailure(withCode(code))).toBe('unreachable')
    }
    expect(connectionFailure(new Error('Connection is closed.'))).toBe('closed')
    expect(connectionFailure(withCode('EPIPE'))).toBe('error')
    expect(connectionFailure(undefined)).toBe('error')
  })
})
