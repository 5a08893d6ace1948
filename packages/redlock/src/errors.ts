import { RedisCoreError } from '@org/redis-core'
import type { InstanceAnswer } from './answers.js'
import type { Lock } from './Lock.js'

/**
 * How an operation ended. For an acquire: `'locked'` when its retries ran out while the resources were held by
 * another holder, `'quorum'` when they ran out while too few instances granted the lock for any other reason,
 * `'timeout'` when its `timeout` passed (whatever the last attempt found), `'aborted'` when its signal aborted.
 * `'lost'` is a held lock that can no longer be relied on (extend, `using`).
 */
export type LockErrorReason = 'locked' | 'quorum' | 'aborted' | 'timeout' | 'lost'

/** Options of {@link LockError}. */
export interface LockErrorDetails {
  readonly reason: LockErrorReason
  readonly attempts: number
  readonly answers: readonly InstanceAnswer[]
  readonly cause?: unknown
  /** The stable code; each class has its own (see {@link LockError}). */
  readonly code?: string
}

function describeAnswers(answers: readonly InstanceAnswer[]): string {
  if (answers.length === 0) return ''
  const parts = answers.map((a) => `#${a.instance} ${a.status}${a.error ? ` (${a.error.message})` : ''}`)
  return ` [${parts.join(', ')}]`
}

/**
 * A lock operation failed: says why, after how many attempts, and what each instance answered last. A
 * `RedisCoreError` with a stable `code` per class: `'LOCK_FAILED'`, `'RESOURCE_LOCKED'` ({@link ResourceLockedError})
 * and `'LOCK_LOST'` ({@link LockLostError}); `reason` says how it ended.
 */
export class LockError extends RedisCoreError {
  override name = 'LockError'
  /** Why it failed. */
  readonly reason: LockErrorReason
  /** How many attempts were made. */
  readonly attempts: number
  /** What each instance answered to the last attempt. */
  readonly answers: readonly InstanceAnswer[]

  constructor(message: string, details: LockErrorDetails) {
    const full = `${message} after ${details.attempts} attempt(s)${describeAnswers(details.answers)}`
    super(details.code ?? 'LOCK_FAILED', full, { cause: details.cause })
    this.reason = details.reason
    this.attempts = details.attempts
    this.answers = details.answers
  }
}

/**
 * An acquire gave up while the resources were held by another holder (another process, or another lock of the same
 * Redlock): `reason` is `'locked'` when its retries ran out, `'timeout'` when its `timeout` passed.
 */
export class ResourceLockedError extends LockError {
  override name = 'ResourceLockedError'
  /** How the acquire gave up: out of retries (`'locked'`) or out of time (`'timeout'`). */
  declare readonly reason: 'locked' | 'timeout'
  /** The resources that were asked for. */
  readonly resources: readonly string[]

  constructor(
    resources: readonly string[],
    attempts: number,
    answers: readonly InstanceAnswer[],
    reason: 'locked' | 'timeout' = 'locked',
  ) {
    const when = reason === 'timeout' ? ' when the timeout passed' : ''
    super(`resource(s) ${resources.join(', ')} locked elsewhere${when}`, {
      reason,
      attempts,
      answers,
      code: 'RESOURCE_LOCKED',
    })
    this.resources = resources
  }
}

/** What a `LockLostError` can be about: a `Lock`, or a read, write or permit hold (anything naming its resources). */
export interface LostHold {
  readonly resources: readonly string[]
}

/**
 * A held lock is no longer safe to rely on: an extension failed, its validity ran out, or a hold limit was reached.
 * `L` is the kind of hold: a `Lock` by default, a `ReadLock`, `WriteLock` or `Permit` for shared holds.
 */
export class LockLostError<L extends LostHold = Lock> extends LockError {
  override name = 'LockLostError'
  /** The lock (or shared hold) that was lost. */
  readonly lock: L
  /**
   * What the routine returned, when `using()` rejects with this error because the lock was lost while a routine ran
   * and the routine still resolved: its work may have overlapped another holder's, so the caller decides what to do
   * with it. Undefined otherwise.
   */
  result?: unknown

  constructor(lock: L, why: string, answers: readonly InstanceAnswer[] = []) {
    super(`lock on ${lock.resources.join(', ')} lost: ${why}`, {
      reason: 'lost',
      attempts: 1,
      answers,
      code: 'LOCK_LOST',
    })
    this.lock = lock
  }
}
