import { defineOperation } from './Operation.js'

/**
 * fastRelease: the release of a one-resource lock won by its first attempt, in the shape it had before the queue:
 * two keys and one argument instead of four and two (see `fastPath.ts`).
 *
 * KEYS: the lock key, its queue (see `queue.ts`).
 * ARGV: value (also the waiter id: the lock was won by its acquire's first attempt).
 * Reply: 1 when released, 0 when the key did not hold the value; -1 when the queue exists, having changed nothing:
 * the caller then sends `release` (the full script) to this instance.
 *
 * Guarantee: with nobody queued, exactly what `release` does: the key is deleted only while it holds the value (with
 * the waiter mark or not), and a marked one is announced with an empty message; otherwise a no-op.
 */
export const FAST_RELEASE = defineOperation(
  'fastRelease',
  'g',
  `
  if redis.call('EXISTS', keys[2]) == 1 then return -1 end
  local v = redis.call('GET', keys[1])
  if v == argv[1] then
    redis.call('DEL', keys[1])
    return 1
  end
  if v == argv[1] .. '+' then
    redis.call('DEL', keys[1])
    redis.call('PUBLISH', keys[1], '')
    return 1
  end
  return 0
`,
  '',
  false,
)
