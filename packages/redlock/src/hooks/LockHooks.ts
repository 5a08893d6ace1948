import { composeHooks, type Dispatch, describe, type Hook } from '@org/redis-core'
import type { AcquireHookContext, ExtendHookContext, RedlockHooks, ReleaseHookContext } from './types.js'

const KINDS = ['acquire', 'extend', 'release'] as const

/**
 * The hooks registered on one Redlock. Each kind is kept composed into one function, rebuilt when hooks are added or
 * removed and undefined while that kind has none: an operation checks one field and takes the path without hooks.
 * An operation already running keeps the hooks it started with.
 */
export class LockHooks {
  acquire: Dispatch<AcquireHookContext> | undefined
  extend: Dispatch<ExtendHookContext> | undefined
  release: Dispatch<ReleaseHookContext> | undefined
  #entries: readonly RedlockHooks[] = []

  /** Adds `hooks` last (innermost); returns the function that removes them again. */
  add(hooks: RedlockHooks): () => void {
    const entry = checked(hooks)
    this.#entries = [...this.#entries, entry]
    this.#rebuild()
    return () => {
      this.#entries = this.#entries.filter((e) => e !== entry)
      this.#rebuild()
    }
  }

  #rebuild(): void {
    this.acquire = composeHooks(this.#of('acquire') as Hook<AcquireHookContext>[])
    this.extend = composeHooks(this.#of('extend') as Hook<ExtendHookContext>[])
    this.release = composeHooks(this.#of('release') as Hook<ReleaseHookContext>[])
  }

  #of(kind: (typeof KINDS)[number]): unknown[] {
    return this.#entries.flatMap((e) => (e[kind] ? [e[kind]] : []))
  }
}

/** A copy of `hooks` with only its three kinds, after checking them. */
function checked(hooks: RedlockHooks): RedlockHooks {
  if (hooks === null || typeof hooks !== 'object') {
    throw new TypeError(`hooks must be an object like { acquire?, extend?, release? }, got ${describe(hooks)}`)
  }
  const copy: RedlockHooks = {}
  for (const kind of KINDS) {
    const hook = hooks[kind]
    if (hook === undefined) continue
    if (typeof hook !== 'function') throw new TypeError(`hooks.${kind} must be a function, got ${describe(hook)}`)
    ;(copy as Record<string, unknown>)[kind] = hook
  }
  if (Object.keys(copy).length === 0) throw new TypeError('hooks must have at least one of acquire, extend, release')
  return copy
}
