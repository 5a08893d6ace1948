import { type RedisClient, runScript } from '@org/redis-core'
import { direct, type RawEntry, type RawRead, raw } from './connections.js'
import { GROUP } from './keys.js'
import type { PendingEntry, Source } from './PendingEntry.js'
import { RedisClock } from './RedisClock.js'
import { DELETE_IF_EMPTY } from './scripts.js'

/** What an adoption needs from the adopting server. */
export interface AdoptionDeps {
  commands: RedisClient
  /** The orphaned inbox. */
  key: string
  /** Its dead-letter stream. */
  dead: string
  /** The adopter's consumer name in the orphan's group. */
  consumer: string
  batchSize: number
  minIdleMs: number
  stopping(): boolean
  /** How many entries may be taken now. */
  room(): number
  /** Resolves once `room()` is positive or the server stops. */
  whenRoom(): Promise<void>
  /** Hands one entry over to be served; returns it when it has requests to serve. */
  accept(source: Source, entryId: string, fields: Buffer[] | null, redelivered: boolean): PendingEntry | undefined
  /** Resolves once every queued ack has reached Redis. */
  settleAcks(): Promise<void>
}

/** Passes over an inbox that keeps receiving requests; the facade calls again if senders still have not noticed. */
const MAX_PASSES = 20

/**
 * Takes over a dead provider's inbox: claims what it had taken but not answered (XAUTOCLAIM), then reads what it
 * never read, serving all within this server's concurrency, and finally deletes the inbox if it is empty so later
 * senders learn at once that the provider is gone. Returns how many requests were taken over.
 */
export async function adoptInbox(deps: AdoptionDeps): Promise<number> {
  const { commands, key, dead, consumer, batchSize } = deps
  const clock = new RedisClock(commands, key)
  await clock.calibrate()
  const source: Source = { key, dead, clock }
  let taken = 0
  const serving: Promise<void>[] = []
  const serve = (entries: RawEntry[], redelivered: boolean) => {
    for (const [id, fields] of entries) {
      const entry = deps.accept(source, id.toString('latin1'), fields, redelivered)
      if (!entry) continue
      // Not `left`: a handler that answers at once has already answered by now.
      taken += entry.requests
      serving.push(entry.settled)
    }
  }
  const room = async () => {
    await deps.whenRoom()
    return Math.min(deps.room(), batchSize)
  }
  for (let pass = 0; pass < MAX_PASSES && !deps.stopping(); pass++) {
    let cursor = '0-0'
    do {
      const count = await room()
      if (deps.stopping()) break
      let claimed: [Buffer, RawEntry[], Buffer[]]
      try {
        claimed = await raw(commands).xautoclaimBuffer(key, GROUP, consumer, deps.minIdleMs, cursor, 'COUNT', count)
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('NOGROUP')) return taken
        throw err
      }
      cursor = claimed[0].toString('latin1')
      serve(claimed[1], true)
    } while (cursor !== '0-0')
    for (;;) {
      const count = await room()
      if (deps.stopping()) break
      const args = ['GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', key, '>']
      const read = await direct<RawRead>(commands, 'xreadgroup', args, true)
      const entries = read?.[0]?.[1] ?? []
      if (entries.length === 0) break
      serve(entries, false)
    }
    await Promise.all(serving.splice(0))
    await deps.settleAcks()
    if ((await runScript(commands, DELETE_IF_EMPTY, [key])) === 1) break
  }
  await Promise.all(serving)
  return taken
}
