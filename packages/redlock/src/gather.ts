import { now } from './clock.js'
import { onDeadline } from './deadlines.js'

/** One instance's answer to one request. */
export type Answer<R> =
  | { readonly status: 'pending' }
  | { readonly status: 'ok'; readonly value: R }
  | { readonly status: 'error'; readonly error: Error }
  | { readonly status: 'timeout' }

const PENDING: Answer<never> = { status: 'pending' }
const TIMEOUT: Answer<never> = { status: 'timeout' }

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/**
 * Sends one request to every instance at once and settles as soon as `decided` says the outcome is known (a quorum
 * answered, or can no longer answer), when all answered, or after `timeoutMs`: one slow or frozen instance costs at
 * most the timeout, never the whole ttl. Unanswered instances stay `pending` (or `timeout`) in the snapshot.
 * The requests are all written before this returns. `onError` hears every failed request, also those that fail
 * after the outcome was decided.
 */
export function gather<R>(
  count: number,
  send: (index: number) => Promise<R>,
  timeoutMs: number,
  decided: (answers: readonly Answer<R>[]) => boolean,
  onError?: (index: number, error: Error) => void,
): Promise<Answer<R>[]> {
  return new Promise((resolve) => {
    const answers: Answer<R>[] = new Array(count).fill(PENDING)
    let open = count
    let done = false
    const finish = () => {
      done = true
      cancel()
      resolve(answers.slice())
    }
    const cancel = onDeadline(now() + timeoutMs, () => {
      if (done) return
      for (let i = 0; i < count; i++) if (answers[i] === PENDING) answers[i] = TIMEOUT
      finish()
    })
    const settle = (i: number, answer: Answer<R>) => {
      if (done) return
      answers[i] = answer
      open--
      if (open === 0 || decided(answers)) finish()
    }
    for (let i = 0; i < count; i++) {
      let request: Promise<R>
      try {
        request = send(i)
      } catch (err) {
        request = Promise.reject(err)
      }
      request.then(
        (value) => settle(i, { status: 'ok', value }),
        (err) => {
          const error = toError(err)
          onError?.(i, error)
          settle(i, { status: 'error', error })
        },
      )
    }
  })
}

/** Counts answers by status. */
export function tally<R>(answers: readonly Answer<R>[], isSuccess: (value: R) => boolean) {
  let ok = 0
  let pending = 0
  for (const a of answers) {
    if (a.status === 'pending') pending++
    else if (a.status === 'ok' && isSuccess(a.value)) ok++
  }
  return { ok, pending }
}
