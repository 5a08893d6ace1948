import { Redis } from 'ioredis'

/** The list every raw provider pops requests from. */
export const RAW_QUEUE = 'bench:raw:requests'
/** Blocking loops (connections) per raw provider. */
export const RAW_WORKERS = 32

/**
 * The raw floor's caller: LPUSH a request, one BRPOP loop on its own reply list hands each reply to its waiting call.
 * No timeouts, no codecs, no crash safety: only the Redis round trips any request/reply must pay.
 */
export async function rawCaller(port: number): Promise<{ call(params: unknown): Promise<unknown>; stop(): void }> {
  const replyTo = `bench:raw:replies:${process.pid}`
  const push = new Redis({ host: '127.0.0.1', port })
  const pop = new Redis({ host: '127.0.0.1', port })
  const waiting = new Map<number, (v: unknown) => void>()
  let stopped = false
  let next = 0
  void (async () => {
    while (!stopped) {
      const popped = await pop.brpop(replyTo, 0).catch(() => null)
      if (!popped) continue
      const reply = JSON.parse(popped[1]) as { id: number; result: unknown }
      waiting.get(reply.id)?.(reply.result)
      waiting.delete(reply.id)
    }
  })()
  return {
    call(params) {
      const id = next++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        void push.lpush(RAW_QUEUE, JSON.stringify({ id, replyTo, params }))
      })
    },
    stop() {
      stopped = true
      push.disconnect()
      pop.disconnect()
    },
  }
}
