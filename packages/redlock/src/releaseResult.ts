import { instanceAnswers } from './answers.js'
import type { Answer } from './gather.js'
import type { ReleaseResult } from './Lock.js'

/**
 * A release's result. Its per-instance report is built when first read, not on every release: most callers only
 * await the release, and the report's objects would be made on the path that lets the next lock start.
 */
class Released implements ReleaseResult {
  #answers: ReleaseResult['answers'] | undefined

  constructor(
    readonly held: boolean,
    readonly instances: number,
    private readonly raw: readonly Answer<unknown>[],
  ) {}

  get answers(): ReleaseResult['answers'] {
    this.#answers ??= instanceAnswers(this.raw)
    return this.#answers
  }
}

/** The result of a release that counted `instances` deletions among `answers`. */
export function releaseResult(instances: number, answers: readonly Answer<unknown>[]): ReleaseResult {
  return new Released(instances > 0, instances, answers)
}
