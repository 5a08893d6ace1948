import { holdWhile } from '../holdWhile.js'
import type { ReleaseResult } from '../Lock.js'
import { type AcquireOptions, checkTtl, type UsingOptions } from '../options.js'
import { acquireShare } from './acquireShare.js'
import { extendShare } from './extendShare.js'
import type { FamilyContext } from './FamilyContext.js'
import { type ShareKind, shareChannel, shareKeys, shareResource } from './keys.js'
import { acquireArgs, usingArgs } from './options.js'
import { releaseShare } from './releaseShare.js'
import { Share, type ShareInit, type ShareOwner, shareFamily } from './Share.js'
import type { ShareCode, ShareSpec } from './ShareSpec.js'
import { extendHandedLater } from './shareGrant.js'

const MODE_OF: Record<ShareCode, Share['mode']> = { r: 'read', w: 'write', p: 'permit' }

/** The routine a shared hold's `using` runs while it holds. */
export type ShareRoutine<T, S extends Share> = (signal: AbortSignal, hold: S) => Promise<T> | T

/**
 * One kind of hold on one name (the readers of a read-write lock, its writer, or a semaphore's permits): how it is
 * acquired, held in a routine, extended and released, and the check that a hold given back is one of its own.
 * `ReadWriteLock` and `Semaphore` declare the public overloads and hand their arguments here as they came.
 */
export class Holds<S extends Share> implements ShareOwner {
  readonly spec: ShareSpec

  constructor(
    private readonly family: FamilyContext,
    kind: ShareKind,
    name: string,
    code: ShareCode,
    permits: number,
    /** The ttl of an acquire given none (the read-write lock's or semaphore's own). */
    private readonly ttl: number,
    private readonly make: (owner: ShareOwner, init: ShareInit) => S,
  ) {
    const { keyPrefix } = family.settings
    const resource = shareResource(kind, name)
    this.spec = Object.freeze({
      kind,
      name,
      code,
      permits,
      keys: shareKeys(keyPrefix, kind, name),
      channel: shareChannel(keyPrefix, resource),
      resource,
    })
  }

  /** Acquires a hold: the `(ttl?, options?)` or `(options)` of `read`, `write` and `acquire`, checked first. */
  acquireWith(first: unknown, second: unknown): Promise<S> {
    const [ttl, options] = acquireArgs(first, second)
    return this.acquire(ttl ?? this.ttl, options)
  }

  /** Holds while a routine runs: the arguments of `usingRead`, `usingWrite` and `using`, checked first. */
  usingWith<T>(rest: unknown[]): Promise<T> {
    const [ttl, options, routine] = usingArgs<ShareRoutine<T, S>>(rest)
    return this.using(ttl ?? this.ttl, options, routine)
  }

  /** Acquires a hold (input already checked). */
  async acquire(ttl: number, options: AcquireOptions): Promise<S> {
    const init = await acquireShare(this.family, this.spec, ttl, options)
    const hold = this.make(this, init)
    if (init.handed) extendHandedLater(this.family, this.spec, hold)
    return hold
  }

  /** Acquires, runs the routine while extending the hold, releases it: as `Redlock.using` does for a `Lock`. */
  async using<T>(ttl: number, options: UsingOptions, routine: ShareRoutine<T, S>): Promise<T> {
    const hold = await this.acquire(ttl, options)
    const limits = {
      ttl,
      threshold: options.automaticExtensionThreshold ?? this.family.settings.automaticExtensionThreshold,
      maxExtensions: options.maxExtensions ?? Number.POSITIVE_INFINITY,
      maxHoldMs: options.maxHoldMs ?? Number.POSITIVE_INFINITY,
    }
    return holdWhile(hold, { limits, signal: options.signal, lost: () => {} }, routine)
  }

  /** Extends a hold of this kind and name. */
  async extend(share: Share, ttl?: number): Promise<S> {
    const own = this.own(share)
    return extendShare(this.family, this.spec, own, ttl === undefined ? own.ttl : checkTtl(ttl, 'ttl'))
  }

  /** Releases a hold of this kind and name. */
  release(share: Share): Promise<ReleaseResult> {
    try {
      return releaseShare(this.family, this.spec, this.own(share))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** The hold, when it is one of this kind and name, of this Redlock; else a TypeError saying what it is. */
  own(share: unknown): S {
    const { kind, name, code } = this.spec
    const mode = MODE_OF[code]
    const wanted = `a ${mode} hold of ${kind === 'rw' ? 'read-write lock' : 'semaphore'} '${name}'`
    if (!(share instanceof Share)) {
      const what = share === null ? 'null' : typeof share === 'object' ? share.constructor?.name : typeof share
      throw new TypeError(`expected ${wanted}, got ${what}`)
    }
    const s = share
    if (s.mode !== mode || s.kind !== kind || s.name !== name) {
      const what = s.kind === 'rw' ? 'read-write lock' : 'semaphore'
      throw new TypeError(`expected ${wanted}, got a ${s.mode} hold of ${what} '${s.name}'`)
    }
    if (shareFamily(s) !== this.family) throw new TypeError(`expected ${wanted} of this Redlock, got one of another`)
    return s as S
  }
}
