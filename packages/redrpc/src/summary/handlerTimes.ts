import { isThenable } from '@org/redis-core'
import type { MethodContext, NormalizedMethod } from '../methods.js'
import { CallRecorder } from '../Stats.js'

/**
 * Handler times per provider id, for the providers' live summaries: the only per-call cost of the summaries, two
 * clock reads and a write into a ring (no promise is added: a handler that returns a plain value still returns it in
 * the same turn, so the provider's synchronous fast path stays).
 */
export class HandlerTimes {
  readonly #byProvider = new Map<string, CallRecorder>()

  /** The recorder of one provider (made on first use). */
  of(provider: string): CallRecorder {
    let recorder = this.#byProvider.get(provider)
    if (!recorder) {
      recorder = new CallRecorder()
      this.#byProvider.set(provider, recorder)
    }
    return recorder
  }

  /** Forgets a provider that stopped. */
  delete(provider: string): void {
    this.#byProvider.delete(provider)
  }

  /** The same methods, with each handler run timed under the provider id its context names. */
  timed(methods: readonly NormalizedMethod[]): NormalizedMethod[] {
    return methods.map((method) => ({ ...method, handler: this.#timedHandler(method.handler) }))
  }

  #timedHandler(handler: NormalizedMethod['handler']): NormalizedMethod['handler'] {
    return (params: unknown, ctx: MethodContext) => {
      const started = performance.now()
      const recorder = this.of(ctx.providerId)
      recorder.start()
      let result: unknown
      try {
        result = handler(params, ctx)
      } catch (err) {
        recorder.end(performance.now() - started, false)
        throw err
      }
      if (!isThenable(result)) {
        recorder.end(performance.now() - started, true)
        return result
      }
      // Observe the promise without replacing it: the provider awaits the handler's own promise.
      result.then(
        () => recorder.end(performance.now() - started, true),
        () => recorder.end(performance.now() - started, false),
      )
      return result
    }
  }
}
