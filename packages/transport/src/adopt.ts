import { direct, type RawEntry, type RawRead, type RedisClient, raw, runScript } from './connections.js'
import type { Source } from './Dispatcher.js'
import { GROUP } from './keys.js'
import { RedisClock } from './RedisClock.js'
import type { Slots } from './Slots.js'
import { DELETE_IF_EMPTY } from './scripts.js'

/** What an adoption needs from the adopting server. */
export interface AdoptionDeps {
  commands: RedisClient
  /** The orphaned inbox. */
  key: string
  /** The adopter's consumer name in the orphan's group. */
  consumer: string
  batchSize: number
  minIdleMs: number
  slots: Slots
  stopping(): boolean
  /** Serves one entry; a slot was taken for it and must be released by the callee. */
  dispatch(source: Source, entryId: string, fields: Buffer[] | null, redelivered: boolean): Promise<void>
  /** Resolves once every queued ack has reached Redis. */
  settleAcks(): Promise<void>
  /** Resolves once a slot is free or the server stops. */
  whenFree(): Promise<void>
}

/** Passes over an inbox that keeps receiving requests; the facade calls again if senders still have not noticed. */
const MAX_PASSES = 20

/**
 * Takes over a dead provider's inbox: claims what it had taken but not answered (XAUTOCLAIM), then reads what it
 * never read, serving all within this server's concurrency, and finally deletes the inbox if it is empty so later
 * senders learn at once that the provider is gone. Returns how many requests were taken over.
 */
export async function adoptInbox(deps: AdoptionDeps): Promise<number> {
  const { commands, key, consumer, batchSize, slots } = deps
  const clock = new RedisClock(commands, key)
  await clock.calibrate()
  const source: Source = { key, clock }
  const taken = new Set<string>()
  const serving = new Set<Promise<void>>()
  const serve = (entries: RawEntry[], redelivered: boolean) => {
    for (const [rawId, fields] of entries) {
      const id = rawId.toString('latin1')
      taken.add(id)
      slots.take()
      const p = deps.dispatch(source, id, fields, redelivered).finally(() => serving.delete(p))
      serving.add(p)
    }
  }
  const room = async () => {
    await deps.whenFree()
    return Math.min(slots.free, batchSize)
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
        if (err instanceof Error && err.message.startsWith('NOGROUP')) return taken.size
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
    while (serving.size > 0) await Promise.allSettled([...serving])
    await deps.settleAcks()
    if ((await runScript(commands, DELETE_IF_EMPTY, [key])) === 1) break
  }
  while (serving.size > 0) await Promise.allSettled([...serving])
  return taken.size
}
