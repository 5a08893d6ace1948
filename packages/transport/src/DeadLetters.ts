import { type RedisClient, runScript } from '@org/redis-core'
import type { Source } from './PendingEntry.js'
import { DEAD_LETTER } from './scripts.js'

/** Most entries a dead-letter stream keeps (`MAXLEN ~`: Redis trims in whole nodes, so a few more may stay). */
export const DEAD_LETTER_MAX_LENGTH = 1_000
/** Time to live of a dead-letter stream, renewed by every new dead letter: a week, to be read after a weekend. */
export const DEAD_LETTER_TTL_MS = 7 * 24 * 60 * 60 * 1_000
/** Most bytes of a malformed record kept in its dead letter. */
const RECORD_BYTES = 1_024

/**
 * Why a request was settled without the reply it asked for: `MALFORMED` (a record that fails validation),
 * `REPLY_FAILED` (Redis refused the reply's XADD, e.g. WRONGTYPE at the reply key), `REPLY_STREAM_GONE` (the caller's
 * reply stream no longer exists and the call's deadline has passed).
 */
export type DeadLetterReason = 'MALFORMED' | 'REPLY_FAILED' | 'REPLY_STREAM_GONE'

/** One dead letter; every field but `reason`, `detail` and `entry` is left out when unknown. */
export interface DeadLetter {
  reason: DeadLetterReason
  /** What went wrong, in words (the validation failure, Redis' error). */
  detail: string
  /** The inbox entry that held the request. */
  entry: string
  request?: string | undefined
  replyTo?: string | undefined
  method?: string | undefined
  /** The raw record (malformed ones), cut at 1 KiB. */
  record?: Buffer | undefined
  /** Whether the caller was sent an error reply instead. */
  told: boolean
}

/**
 * Redis error replies that say "not now" (loading, busy, out of memory, read-only replica, cluster moving...): a dead
 * letter refused that way is tried again later, by keeping its request pending. Any other error reply is final.
 */
const TRANSIENT = /^(LOADING|BUSY|OOM|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MISCONF|MOVED|ASK)\b/

/**
 * Whether Redis answered with a final error: an error reply starts with an upper-case code (`ERR`, `WRONGTYPE`,
 * `NOPERM`), where the client's own connection errors read as sentences ("Connection is closed.", "Reached the max
 * retries..."). Checked on the message because ioredis' ReplyError class differs between its copies and majors.
 */
function isFinalReplyError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return /^[A-Z][A-Z_-]+ /.test(err.message) && !TRANSIENT.test(err.message)
}

/**
 * Records requests settled without their reply in the dead-letter stream of their inbox
 * (`{ns}:dead:{service/provider}`, see keys.ts), so that nothing is dropped silently and nothing stays pending
 * forever. Off the hot path: only failures come here.
 */
export class DeadLetters {
  readonly #redis: RedisClient
  readonly #provider: string
  readonly #onError: (error: Error) => void

  constructor(redis: RedisClient, provider: string, onError: (error: Error) => void) {
    this.#redis = redis
    this.#provider = provider
    this.#onError = onError
  }

  /**
   * Stores one dead letter and reports it through `onError`. Resolves true when the request may be acknowledged: the
   * letter is stored, or Redis refused it for good (nothing would ever store it). Resolves false when Redis could not
   * take it now: the request then stays pending and is served again after a restart or an adoption.
   */
  async record(source: Source, letter: DeadLetter): Promise<boolean> {
    const args: (string | Buffer | number)[] = [DEAD_LETTER_MAX_LENGTH, DEAD_LETTER_TTL_MS]
    args.push('reason', letter.reason, 'detail', letter.detail, 'entry', letter.entry, 'provider', this.#provider)
    if (letter.request !== undefined) args.push('request', letter.request)
    if (letter.replyTo !== undefined) args.push('replyTo', letter.replyTo)
    if (letter.method !== undefined) args.push('method', letter.method)
    if (letter.record !== undefined) args.push('record', letter.record.subarray(0, RECORD_BYTES))
    args.push('told', letter.told ? '1' : '0')
    const what = letter.request === undefined ? `entry ${letter.entry}` : `request ${letter.request}`
    this.#onError(new Error(`${what} of ${source.key} dead-lettered (${letter.reason}): ${letter.detail}`))
    try {
      await runScript(this.#redis, DEAD_LETTER, [source.dead], args)
      return true
    } catch (err) {
      this.#onError(err as Error)
      return isFinalReplyError(err)
    }
  }
}
