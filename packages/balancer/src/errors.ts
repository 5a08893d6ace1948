/** Thrown by `createBalancer` for a name no policy is registered under; `known` lists the names that are. */
export class UnknownPolicyError extends Error {
  override readonly name = 'UnknownPolicyError'
  /** The name that was asked for, as given. */
  readonly policy: string
  /** The registered policy names, as `listPolicies()` returns them. */
  readonly known: readonly string[]

  constructor(policy: string, known: readonly string[]) {
    super(`unknown load-balancing policy '${policy}'; known policies: ${known.join(', ')}`)
    this.policy = policy
    this.known = known
  }
}

/**
 * Thrown by `pick` for an endpoint list a policy cannot use: a negative or non-finite weight, an empty or
 * duplicate id. A RangeError, so callers that already catch those keep working; wrong types are TypeErrors.
 */
export class InvalidEndpointError extends RangeError {
  override readonly name = 'InvalidEndpointError'
  /** Position of the offending endpoint in the list passed to `pick`. */
  readonly index: number

  constructor(index: number, message: string) {
    super(`endpoints[${index}]: ${message}`)
    this.index = index
  }
}
