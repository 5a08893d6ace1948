import { assertInteger, describe } from '@org/redis-core'
import type { Lock, Redlock, UsingOptions } from '@org/redlock'
import type { LockSpec } from './methods.js'

/**
 * A method's read or write lock (`@org/redlock`'s read-write locks): `{ read: names }` lets calls run together,
 * `{ write: names }` runs a call alone, and waiting writers stop new readers. Names as for `lock`: fixed, or a
 * function of the params.
 */
export type SharedLockSpec<P> = { read: LockSpec<P> } | { write: LockSpec<P> }

/** A method's permit of a semaphore: at most `permits` calls of every method naming it run at once, in every process. */
export interface PermitsSpec {
  /** The semaphore's name. */
  name: string
  /** How many at once (an integer >= 1; the same wherever the name is used). */
  permits: number
}

/** How a method holds what it declares: a plain lock, a read or write hold, or a permit (with its count). */
export type HoldKind = { mode: 'read' | 'write' } | { mode: 'permit'; permits: number }

/** The names and kind of a `{ read }` / `{ write }` lock; undefined for a plain one (names, or a function). */
export function sharedLock(lock: unknown): { names: unknown; kind: HoldKind } | undefined {
  if (typeof lock !== 'object' || lock === null || Array.isArray(lock)) return undefined
  const keys = Object.keys(lock)
  if (keys.length !== 1 || (keys[0] !== 'read' && keys[0] !== 'write')) {
    throw new TypeError(`a lock object must be { read: names } or { write: names }, got ${describe(lock)}`)
  }
  const mode = keys[0] as 'read' | 'write'
  return { names: (lock as Record<string, unknown>)[mode], kind: { mode } }
}

/** Checks a method's `permits` (`what` names it in errors). */
export function checkPermits(what: string, spec: unknown): PermitsSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new TypeError(`${what}.permits must be { name, permits }, got ${describe(spec)}`)
  }
  const { name, permits } = spec as Partial<PermitsSpec>
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${what}.permits.name must be a non-empty string, got ${describe(name)}`)
  }
  return { name, permits: assertInteger(permits, `${what}.permits.permits`, { min: 1, max: 2 ** 31 - 1 }) }
}

/** The routine run under the hold; it receives the hold as `Lock` (see `MethodContext.lock`). */
type Routine = (signal: AbortSignal, lock: Lock) => Promise<unknown>

/**
 * Runs `routine` holding what the method declares: a plain lock on `resources` (`redlock.using`), a read or write
 * hold on each name (taken one after the other in name order, so two methods never wait for each other crosswise),
 * or a permit of the semaphore named. The hold is extended while the routine runs; its signal aborts (with a
 * `LockLostError`) when any hold is lost.
 */
export function holdFor(
  rlock: Redlock,
  kind: HoldKind | undefined,
  resources: string[],
  ttl: number | undefined,
  options: UsingOptions,
  routine: Routine,
): Promise<unknown> {
  if (kind === undefined) return rlock.using(resources, ttl, options, routine)
  // Read, write and permit holds have a fencing token, validity, extend and release like a Lock: handed on as one.
  const asLock = routine as unknown as (signal: AbortSignal, hold: object) => Promise<unknown>
  if (kind.mode === 'permit') {
    return rlock.semaphore(resources[0]!, { permits: kind.permits }).using(ttl, options, asLock)
  }
  const names = [...resources].sort()
  const hold = (i: number, outer: AbortSignal[]): Promise<unknown> => {
    const inner = (signal: AbortSignal, held: object) =>
      i + 1 < names.length ? hold(i + 1, [...outer, signal]) : asLock(AbortSignal.any([...outer, signal]), held)
    const rw = rlock.readWrite(names[i]!)
    return kind.mode === 'read' ? rw.usingRead(ttl, options, inner) : rw.usingWrite(ttl, options, inner)
  }
  return hold(0, [])
}
