import { describe } from '../options.js'
import type { CallHook, HandleHook, RedRpcHooks } from './types.js'

/**
 * The hooks registered on a `RedRpc`, shared by its service clients and providers. Each side's list is undefined while
 * empty, so a call checks one field and takes the path without hooks. Lists are replaced, never changed in place:
 * a call already running keeps the hooks it started with.
 */
export class HookSet {
  call: readonly CallHook[] | undefined
  handle: readonly HandleHook[] | undefined

  /** Adds `hooks` last (innermost); returns the function that removes them again. */
  add(hooks: RedRpcHooks): () => void {
    if (hooks === null || typeof hooks !== 'object') {
      throw new TypeError(`hooks must be an object like { call?, handle? }, got ${describe(hooks)}`)
    }
    const { call, handle } = hooks
    for (const [name, hook] of [
      ['call', call],
      ['handle', handle],
    ] as const) {
      if (hook !== undefined && typeof hook !== 'function') {
        throw new TypeError(`hooks.${name} must be a function, got ${describe(hook)}`)
      }
    }
    if (call) this.call = [...(this.call ?? []), call]
    if (handle) this.handle = [...(this.handle ?? []), handle]
    return () => {
      if (call) this.call = without(this.call, call)
      if (handle) this.handle = without(this.handle, handle)
    }
  }
}

function without<T>(list: readonly T[] | undefined, item: T): readonly T[] | undefined {
  const left = list?.filter((x) => x !== item)
  return left && left.length > 0 ? left : undefined
}
