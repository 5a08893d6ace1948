import { now } from './clock.js'
import { HAND_OVER_TTL } from './options.js'

/** Hand-overs kept for waiter ids not (yet) known here, at most (the oldest go first). */
const EARLY_MAX = 64

/** One announcement: the instance, the token, and the grant value (with a seat, for a semaphore's). */
export type HandOverHeard = [instance: number, token: number, grant: string]

/**
 * Hand-overs announced to waiter ids this process does not know as waiting yet. A release can reach an instance
 * between the first attempt that queued a waiter there and the reply that tells its acquire to wait, and the
 * announcement then arrives first. Dropping it left the waiter deaf to a key it held: in L4 with two processes both
 * sat idle until a timer (the retry delay, or the stale key's hand-over ttl), 36-60 acquisitions per second instead
 * of about 350. Kept for a hand-over ttl at most: a key is handed for no longer.
 */
export class EarlyHandOvers {
  readonly #byId = new Map<string, { at: number; heard: HandOverHeard[] }>()

  /** Keeps an announcement to `id`, which does not wait here (yet). */
  keep(id: string, heard: HandOverHeard): void {
    const kept = this.#byId.get(id)
    if (kept) {
      kept.heard.push(heard)
      return
    }
    if (this.#byId.size >= EARLY_MAX) this.#byId.delete(this.#byId.keys().next().value as string)
    this.#byId.set(id, { at: now(), heard: [heard] })
  }

  /** The announcements kept for `id` (forgotten here), those younger than a hand-over ttl; none mostly. */
  take(id: string): readonly HandOverHeard[] {
    if (this.#byId.size === 0) return NONE
    const kept = this.#byId.get(id)
    if (!kept) return NONE
    this.#byId.delete(id)
    return now() - kept.at < HAND_OVER_TTL ? kept.heard : NONE
  }
}

const NONE: readonly HandOverHeard[] = Object.freeze([])

/**
 * How long a waiter that heard part of a direct grant waits for the rest before it claims (ms). The key handed to it
 * on a minority keeps every other process out meanwhile, and the rest may never come: an instance where its place
 * was not known yet when the lock was released frees the key or hands it to someone else, and tells nobody in
 * particular. Not shorter: on a loaded CI machine the rest of a good hand-over came more than 5 ms after the first
 * announcement, and the waiter claimed a lock it was being handed (`directGrant.test.ts` counts such attempts).
 */
export const PARTIAL_GRANT_MS = 25
