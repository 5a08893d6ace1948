import { connectionFailure, nodeAddresses, type RedisClient } from '@org/redis-core'
import { close, duplicate } from './connections.js'
import { RedisUnavailableError, type UnavailableReason } from './errors.js'

/** `host:port` of a client, for messages (a Cluster: its startup nodes, comma-separated). */
export function addressOf(redis: RedisClient): string {
  return nodeAddresses(redis).join(',')
}

/** What a connection error says about Redis: refused, timed out, or another failure (none: no answer in time). */
export function reasonOf(err: Error | undefined): UnavailableReason {
  if (err === undefined) return 'timeout'
  const failure = connectionFailure(err)
  return failure === 'refused' || failure === 'timeout' ? failure : 'error'
}

const SAYS: Record<UnavailableReason, string> = {
  refused: 'connection refused',
  timeout: 'no answer',
  lost: 'connection lost',
  error: 'connection failed',
}

/** The error for `what` (e.g. a call) failing because Redis at `address` cannot be reached. */
export function unavailable(
  what: string,
  address: string,
  reason: UnavailableReason,
  cause: Error | undefined,
  notExecuted: boolean,
  withinMs?: number,
): RedisUnavailableError {
  const detail = cause ? ` (${cause.message})` : withinMs === undefined ? '' : ` within ${withinMs} ms`
  const message = `${what}: Redis at ${address} is unreachable: ${SAYS[reason]}${detail}`
  return new RedisUnavailableError(message, address, reason, { cause, notExecuted })
}

/**
 * Opens a connection of our own like `redis` (a blocking reader needs one anyway) and resolves once Redis answers on
 * it. Fails fast with RedisUnavailableError, closing it: at the first connection error (refused, unresolvable...),
 * or after `timeoutMs` without an answer, rather than after ioredis' own retries (about 10 s, then
 * MaxRetriesPerRequestError) or never.
 */
export function connectReady(redis: RedisClient, timeoutMs: number, what: string): Promise<RedisClient> {
  const conn = duplicate(redis)
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const done = (err?: RedisUnavailableError) => {
      clearTimeout(timer)
      conn.off('ready', onReady)
      conn.off('error', onError)
      if (!err) return resolve(conn)
      close(conn)
      reject(err)
    }
    const onReady = () => done()
    const onError = (e: Error) => done(unavailable(what, addressOf(redis), reasonOf(e), e, true))
    conn.on('ready', onReady)
    conn.on('error', onError)
    if (conn.status === 'ready') return done()
    // A copy of a client made with lazyConnect waits for a command: connect it now (failures come as 'error').
    if (conn.status === 'wait') conn.connect().catch(() => {})
    timer = setTimeout(
      () => done(unavailable(what, addressOf(redis), 'timeout', undefined, true, timeoutMs)),
      timeoutMs,
    )
  })
}

/** Resolves true once `promise` settles (either way) within `ms`, else false at `ms`; never rejects. */
export function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), false)
  })
  const settled = promise.then(
    () => true,
    () => true,
  )
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer))
}
