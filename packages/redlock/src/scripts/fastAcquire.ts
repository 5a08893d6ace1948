import { defineOperation } from './Operation.js'

/**
 * fastAcquire: the uncontended first attempt of a one-resource lock, in the shape it had before the queue: three keys
 * and two arguments instead of five and four (see `fastPath.ts` for when it is sent and what it saves).
 *
 * KEYS: the lock key, its fencing counter, its queue (see `queue.ts`).
 * ARGV: value, ttl (ms).
 * Reply: the counter after INCRBY when granted (one token recorded); 0 when the queue exists or the key is held, having
 * changed nothing: the caller then sends `acquire` (the full script) to this instance with the same request.
 *
 * Guarantee: grants exactly when `acquire` would take its own uncontended path (nobody queued, key free), with the
 * same effect (SET NX with the ttl, counter raised by one); otherwise a no-op, so `acquire` sent after it decides as
 * if it had been sent alone.
 */
export const FAST_ACQUIRE = defineOperation(
  'fastAcquire',
  'f',
  `
  if redis.call('EXISTS', keys[3]) == 0 and redis.call('SET', keys[1], argv[1], 'NX', 'PX', argv[2]) then
    return redis.call('INCRBY', keys[2], 1)
  end
  return 0
`,
  '',
  false,
)
