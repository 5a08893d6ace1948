import type { Redlock } from '@org/redlock'
import type { CallContext, MethodContext, NormalizedMethod } from './methods.js'
import { type Caller, nestedCall } from './nestedCall.js'

/**
 * Runs a lock-protected handler under `rlock.using()`: the lock is auto-extended while the handler runs and
 * released when it settles. The handler's signal also aborts when the lock is lost, so it can stop before another
 * holder could act on the same resource.
 */
export async function runLocked(
  rlock: Redlock | null,
  method: NormalizedMethod,
  params: unknown,
  ctx: Omit<CallContext, 'call'>,
  caller: Caller,
  onLost: (resources: string[], error: unknown) => void,
): Promise<unknown> {
  if (!rlock || !method.resources) throw new TypeError(`method '${ctx.service}.${ctx.method}' needs a Redlock`)
  const resources = method.resources(params)
  const routine = async (lockSignal: AbortSignal, lock: MethodContext['lock']) => {
    const lost = () => onLost(resources, lockSignal.reason)
    lockSignal.addEventListener('abort', lost, { once: true })
    try {
      const signal = AbortSignal.any([ctx.signal, lockSignal])
      // Nested calls stop with the handler's own signal: a lost lock cancels them too.
      const inner = { ...ctx, signal, lock } as MethodContext
      inner.call = ((service: string, m: string, p?: unknown, options?: object) =>
        nestedCall(caller, inner, service, m, p, options)) as unknown as MethodContext['call']
      return await method.handler(params, inner)
    } finally {
      lockSignal.removeEventListener('abort', lost)
    }
  }
  // Waiting for the lock is bounded by the call itself: it stops when the deadline passes or the caller cancels.
  return rlock.using(resources, method.lockTtlMs, { signal: ctx.signal, retryCount: -1 }, routine)
}

/**
 * The resource names the Redlock declares, or undefined when it declares none: a Redlock built without `resources`
 * accepts any name, so there is nothing to check against.
 */
export function declaredResources(rlock: Redlock | null): ReadonlySet<string> | undefined {
  if (!rlock || rlock.resources.size === 0) return undefined
  return new Set(rlock.resources.keys())
}
