import type { Answer } from './gather.js'

/** What one Redis instance answered to the last attempt of an operation. */
export interface InstanceAnswer {
  /** Position of the instance in the `clients` array given to `Redlock`. */
  readonly instance: number
  /** `ok`: it did what was asked; `locked`: a resource was held by another value; `pending`: no answer yet when the quorum was decided. */
  readonly status: 'ok' | 'locked' | 'error' | 'timeout' | 'pending'
  /** The error of an `error` answer. */
  readonly error?: Error
}

/** Turns a round's raw answers into the public per-instance report. */
export function instanceAnswers<R>(
  answers: readonly Answer<R>[],
  isLocked: (value: R) => boolean = () => false,
): InstanceAnswer[] {
  return answers.map((a, instance) => {
    if (a.status === 'ok') return { instance, status: isLocked(a.value) ? 'locked' : 'ok' }
    if (a.status === 'error') return { instance, status: 'error', error: a.error }
    return { instance, status: a.status }
  })
}
