import type { RedisClient } from '@org/redis-core'
import { StreamFollower } from './StreamFollower.js'

/**
 * Follows a provider's cancel stream on its own connection, so cancellations reach running handlers even while every
 * concurrency slot is busy and the inbox is not being read. Cancels are best effort: one sent while this listener is
 * down is missed, and the handler then runs until its deadline.
 */
export class CancelListener {
  readonly #follower: StreamFollower

  constructor(
    redis: RedisClient,
    key: string,
    blockMs: number,
    onCancel: (requestId: string) => void,
    onError: (e: Error) => void,
  ) {
    this.#follower = new StreamFollower(redis, {
      key,
      startId: '$',
      blockMs,
      count: 512,
      onEntry: (fields) => {
        const requestId = fields?.[1]
        if (requestId) onCancel(requestId.toString('utf8'))
      },
      onError,
    })
  }

  start(): void {
    this.#follower.start()
  }

  stop(): Promise<void> {
    return this.#follower.stop()
  }
}
