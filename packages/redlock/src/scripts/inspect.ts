import { defineScript } from '@org/redis-core'
import { QUEUE_INCLUDES } from './queue.js'

/**
 * inspect: reads, without changing anything, what one instance knows about a name: its plain lock, its read-write
 * lock and its semaphore.
 *
 * KEYS: the lock key, the lock's waiter leases, the lock's fencing counter, then the read-write lock's readers,
 * writer and waiter leases, the semaphore's permits and waiter leases, the shared holds' fencing counter, then the
 * read-write lock's and the semaphore's lines (`q`: a waiter handed a hold keeps its lease but is out of line, see
 * `shareHandOver.ts`, and is not counted). ARGV: none.
 * Reply: { Redis time (ms), lock value or false, lock pttl (ms), lock waiters, lock counter, readers (value, expiry,
 * ...), writer (value, expiry), read-write waiters, permits (value, expiry, ...), semaphore waiters, shared counter }.
 * Counters are strings (exact); expired holders and waiters whose lease passed are left out, by this instance's clock.
 *
 * Guarantee: writes nothing (pruning is left to the scripts that take holds), so inspecting never changes who holds.
 */
export const INSPECT = defineScript({
  name: 'inspect',
  source: `${QUEUE_INCLUDES}
local now = nowMs()
local function live(key) return redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf', 'WITHSCORES') end
local function waiting(key) return redis.call('ZCOUNT', key, '(' .. now, '+inf') end
local function inLine(leases, line)
  local n = 0
  for _, w in ipairs(redis.call('ZRANGEBYSCORE', leases, '(' .. now, '+inf')) do
    if redis.call('ZSCORE', line, w) then n = n + 1 end
  end
  return n
end
return {
  now,
  redis.call('GET', KEYS[1]),
  redis.call('PTTL', KEYS[1]),
  waiting(KEYS[2]),
  redis.call('GET', KEYS[3]) or '0',
  live(KEYS[4]),
  live(KEYS[5]),
  inLine(KEYS[6], KEYS[10]),
  live(KEYS[7]),
  inLine(KEYS[8], KEYS[11]),
  redis.call('GET', KEYS[9]) or '0',
}
`,
})
