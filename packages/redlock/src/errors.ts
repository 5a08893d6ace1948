import type { Lock } from './Lock.js'

/** What one Redis instance answered to the last attempt of an operation. */
export interface InstanceAnswer {
  /** Position of the instance in the `clients` array given to `Redlock`. */
  readonly instance: number
  /** `ok`: it did what was asked; `locked`: a resource was held by another value; `pending`: no answer yet when the quorum was decided. */
  readonly status: 'ok' | 'locked' | 'error' | 'timeout' | 'pending'
  /** The error of an `error` answer. */
  readonly error?: Error
}

/** Why an operation failed. */
export type LockErrorReason = 'locked' | 'quorum' | 'aborted' | 'timeout' | 'lost'

/** Options of {@link LockError}. */
export interface LockErrorDetails {
  readonly reason: LockErrorReason
  readonly attempts: number
  readonly answers: readonly InstanceAnswer[]
  readonly cause?: unknown
}

function describeAnswers(answers: readonly InstanceAnswer[]): string {
  if (answers.length === 0) return ''
  const parts = answers.map((a) => `#${a.instance} ${a.status}${a.error ? ` (${a.error.message})` : ''}`)
  return ` [${parts.join(', ')}]`
}

/** A lock operation failed: says why, after how many attempts, and what each instance answered last. */
export class LockError extends Error {
  override name = 'LockError'
  /** Why it failed. */
  readonly reason: LockErrorReason
  /** How many attempts were made. */
  readonly attempts: number
  /** What each instance answered to the last attempt. */
  readonly answers: readonly InstanceAnswer[]

  constructor(message: string, details: LockErrorDetails) {
    super(`${message} after ${details.attempts} attempt(s)${describeAnswers(details.answers)}`, {
      cause: details.cause,
    })
    this.reason = details.reason
    this.attempts = details.attempts
    this.answers = details.answers
  }
}

/** The resources are held by another lock (on enough instances to deny a quorum). */
export class ResourceLockedError extends LockError {
  override name = 'ResourceLockedError'
  /** The resources that were asked for. */
  readonly resources: readonly string[]

  constructor(resources: readonly string[], attempts: number, answers: readonly InstanceAnswer[]) {
    super(`resource(s) ${resources.join(', ')} locked elsewhere`, { reason: 'locked', attempts, answers })
    this.resources = resources
  }
}

/** A held lock is no longer safe to rely on: an extension failed, its validity ran out, or a hold limit was reached. */
export class LockLostError extends LockError {
  override name = 'LockLostError'
  /** The lock that was lost. */
  readonly lock: Lock

  constructor(lock: Lock, why: string, answers: readonly InstanceAnswer[] = []) {
    super(`lock on ${lock.resources.join(', ')} lost: ${why}`, { reason: 'lost', attempts: 1, answers })
    this.lock = lock
  }
}
