import { now } from './clock.js'
import { type Deadline, onDeadline } from './deadlines.js'
import { isNoScript } from './runScript.js'

/** One instance's answer to one request. */
export type Answer<R> =
  | { readonly status: 'pending' }
  | { readonly status: 'ok'; readonly value: R }
  | { readonly status: 'error'; readonly error: Error }
  | { readonly status: 'timeout' }

/** Says from the answers so far whether the outcome is known; `quorum` is passed so no closure is made per call. */
export type Decided<R> = (answers: readonly Answer<R>[], quorum: number) => boolean

const PENDING: Answer<never> = { status: 'pending' }
const TIMEOUT: Answer<never> = { status: 'timeout' }

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** Sends request `index` and resolves with the server's raw reply; `full` after a NOSCRIPT (see `Instance`). */
export type Send = (index: number, full: boolean) => Promise<unknown>

/** Sends request `i`; a synchronous throw becomes a failed request. */
function sendSafely(send: Send, i: number, full: boolean): Promise<unknown> {
  try {
    return send(i, full)
  } catch (err) {
    return Promise.reject(err)
  }
}

/** The state of one gather: settled once, by a decision, the last answer or the deadline. */
class Gathering<R> {
  readonly answers: Answer<R>[]
  #open: number
  #done = false
  readonly #deadline: Deadline

  constructor(
    count: number,
    timeoutMs: number,
    private readonly send: Send,
    private readonly parse: (reply: unknown) => R,
    private readonly decided: Decided<R>,
    private readonly quorum: number,
    private readonly resolve: (answers: Answer<R>[]) => void,
    private readonly onError: ((index: number, error: Error) => void) | undefined,
  ) {
    this.answers = new Array(count).fill(PENDING)
    this.#open = count
    this.#deadline = onDeadline(now() + timeoutMs, () => this.#expire())
  }

  /** Sends request `i` and listens for its reply: parsed here, so a request costs one reaction. */
  ask(i: number, full: boolean): void {
    this.listen(i, sendSafely(this.send, i, full), full)
  }

  /** Listens for the reply of request `i`, sent with `full` or not. */
  listen(i: number, request: Promise<unknown>, full: boolean): void {
    request.then(
      (reply) => this.#reply(i, reply),
      (err: unknown) => {
        // A server that lost its scripts while the connection stayed up: the same request again, in full.
        if (!full && isNoScript(err)) this.ask(i, true)
        else this.fail(i, err)
      },
    )
  }

  #reply(i: number, reply: unknown): void {
    let value: R
    try {
      value = this.parse(reply)
    } catch (err) {
      this.fail(i, err)
      return
    }
    // A late reply (the outcome is known) costs no answer object.
    if (!this.#done) this.#settle(i, { status: 'ok', value })
  }

  fail(i: number, err: unknown): void {
    const error = toError(err)
    this.onError?.(i, error)
    this.#settle(i, { status: 'error', error })
  }

  #settle(i: number, answer: Answer<R>): void {
    if (this.#done) return
    this.answers[i] = answer
    this.#open--
    if (this.#open === 0 || this.decided(this.answers, this.quorum)) this.#finish()
  }

  #expire(): void {
    if (this.#done) return
    const { answers } = this
    for (let i = 0; i < answers.length; i++) if (answers[i] === PENDING) answers[i] = TIMEOUT
    this.#finish()
  }

  #finish(): void {
    // Answers arriving later are ignored, so the array handed out is a stable snapshot.
    this.#done = true
    this.#deadline.cancel()
    this.resolve(this.answers)
  }
}

/**
 * Sends one request to every instance at once and settles as soon as `decided` says the outcome is known (a quorum
 * answered, or can no longer answer), when all answered, or after `timeoutMs`: one slow or frozen instance costs at
 * most the timeout, never the whole ttl. Unanswered instances stay `pending` (or `timeout`) in the snapshot.
 * The requests are all written before this returns; each reply is read with `parse` (a throw counts as a failed
 * request). `onError` hears every failed request, also those that fail after the outcome was decided. `finish`, when
 * given, turns the answers into the result right when the outcome is known, in the same reaction (a throw rejects).
 */
export function gather<R, T = Answer<R>[]>(
  count: number,
  send: Send,
  parse: (reply: unknown) => R,
  timeoutMs: number,
  decided: Decided<R>,
  quorum: number,
  onError?: (index: number, error: Error) => void,
  finish?: (answers: Answer<R>[]) => T | PromiseLike<T>,
): Promise<T> {
  // Every request is written before any bookkeeping is set up: the servers start on them sooner. (No reply can be
  // read before this function returns, so nothing is missed.)
  const requests = new Array<Promise<unknown>>(count)
  for (let i = 0; i < count; i++) requests[i] = sendSafely(send, i, false)
  return new Promise<T>((resolve, reject) => {
    const settle = finish
      ? (answers: Answer<R>[]) => {
          try {
            resolve(finish(answers))
          } catch (err) {
            reject(err)
          }
        }
      : (resolve as unknown as (answers: Answer<R>[]) => void)
    const g = new Gathering(count, timeoutMs, send, parse, decided, quorum, settle, onError)
    for (let i = 0; i < count; i++) g.listen(i, requests[i]!, false)
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

/** Decided once a quorum succeeded (truthy value) or can no longer succeed. */
export function quorumOfTruthy(answers: readonly Answer<unknown>[], quorum: number): boolean {
  let ok = 0
  let pending = 0
  for (const a of answers) {
    if (a.status === 'pending') pending++
    else if (a.status === 'ok' && a.value) ok++
  }
  return ok >= quorum || ok + pending < quorum
}

/** Decided once a quorum answered at all (whatever they said). */
export function quorumAnswered(answers: readonly Answer<unknown>[], quorum: number): boolean {
  let answered = 0
  for (const a of answers) if (a.status !== 'pending') answered++
  return answered >= quorum
}

/** Decided once a quorum answered without error or can no longer do so (the value does not matter). */
export function quorumOk(answers: readonly Answer<unknown>[], quorum: number): boolean {
  let ok = 0
  let pending = 0
  for (const a of answers) {
    if (a.status === 'pending') pending++
    else if (a.status === 'ok') ok++
  }
  return ok >= quorum || ok + pending < quorum
}
