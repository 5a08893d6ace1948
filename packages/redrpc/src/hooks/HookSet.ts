import { composeHooks as compose, type Dispatch } from '@org/redis-core'
import { describe } from '../options.js'
import type { CallHook, CallHookContext, HandleHook, HandleHookContext, RedRpcHooks } from './types.js'

/**
 * The hooks registered on a `RedRpc`, shared by its service clients and providers. Each side is kept composed into one
 * function (`call`, `handle`), rebuilt when hooks are added or removed and undefined while that side has none, so a
 * call checks one field and takes the path without hooks. A call already running keeps the hooks it started with.
 */
export class HookSet {
  /** The `call` hooks composed, or undefined when there are none. */
  call: Dispatch<CallHookContext> | undefined
  /** The `handle` hooks composed, or undefined when there are none. */
  handle: Dispatch<HandleHookContext> | undefined
  #entries: readonly Entry[] = []

  /** Adds `hooks` last (innermost); returns the function that removes them again. */
  add(hooks: RedRpcHooks): () => void {
    const entry: Entry = { given: hooks, hooks: checked(hooks) }
    this.#entries = [...this.#entries, entry]
    this.#rebuild()
    return () => {
      this.#entries = this.#entries.filter((e) => e !== entry)
      this.#rebuild()
    }
  }

  /**
   * Puts `next` where `hooks` (an object given to `add`) stands, keeping its place in the order; the function `add`
   * returned removes `next` from then on. For telemetry, whose real hooks exist once its API is loaded.
   */
  replace(hooks: RedRpcHooks, next: RedRpcHooks): void {
    const entry = this.#entries.find((e) => e.given === hooks)
    if (!entry) return
    entry.hooks = checked(next)
    this.#rebuild()
  }

  #rebuild(): void {
    this.call = compose(this.#entries.flatMap((e) => (e.hooks.call ? [e.hooks.call] : [])) as CallHook[])
    this.handle = compose(this.#entries.flatMap((e) => (e.hooks.handle ? [e.hooks.handle] : [])) as HandleHook[])
  }
}

/** One `add`: the object given (what `replace` finds it by) and the hooks in force. */
interface Entry {
  readonly given: RedRpcHooks
  hooks: RedRpcHooks
}

/** A copy of `hooks` with only its `call` and `handle`, after checking them. */
function checked(hooks: RedRpcHooks): RedRpcHooks {
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
  return { call, handle }
}
