import type { RedlockContext } from './context.js'
import { extendHold } from './extendHold.js'
import type { Lock } from './Lock.js'

/**
 * Extends a valid lock on a quorum (checked by `Redlock.extend`): every instance gives its keys the new ttl only if
 * they all still hold the lock's value. Valid again until `ttl - drift` from the start of the round.
 */
export async function extend(ctx: RedlockContext, lock: Lock, ttl: number): Promise<Lock> {
  await extendHold(ctx, lock, ttl, (i) => ctx.instances[i]!.extend(lock.resources, lock.value, ttl))
  ctx.extended(lock)
  return lock
}
