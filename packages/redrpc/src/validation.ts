import { type CallSite, ValidationError, type ValidationIssue } from './errors.js'
import { refusal } from './refusals.js'
import type { StandardSchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standardSchema.js'

/** Whether `value` implements Standard Schema V1 (checked at registration, so a call never meets a bad one). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: Partial<StandardSchemaV1['~standard']> } | null)?.['~standard']
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    props !== null &&
    typeof props === 'object' &&
    props.version === 1 &&
    typeof props.validate === 'function'
  )
}

/**
 * Runs a schema: returns its output value, or throws a `ValidationError` listing the issues. Not async: a schema
 * that validates synchronously (zod and valibot do for plain schemas) costs no promise; an async one returns one.
 */
export function validate(
  schema: StandardSchemaV1,
  value: unknown,
  site: CallSite,
  target: 'params' | 'result',
): unknown {
  const result = schema['~standard'].validate(value)
  if (result instanceof Promise) return result.then((r) => outcome(r, site, target))
  return outcome(result, site, target)
}

function outcome(result: StandardSchemaResult<unknown>, site: CallSite, target: 'params' | 'result'): unknown {
  if (result.issues) throw new ValidationError(site, target, result.issues.map(toIssue), false)
  return result.value
}

/** An issue the codec can carry: path segments become keys or indexes (a symbol becomes its description). */
function toIssue(issue: StandardSchemaIssue): ValidationIssue {
  const message = String(issue.message)
  if (!issue.path || issue.path.length === 0) return { message }
  const path = issue.path.map((segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment
    return typeof key === 'number' ? key : String(typeof key === 'symbol' ? (key.description ?? 'symbol') : key)
  })
  return { message, path }
}

/** The wire code a provider sets on a refused value, so the caller rebuilds a `ValidationError` (see callErrors). */
export const VALIDATION_CODE = { params: 'INVALID_PARAMS', result: 'INVALID_RESULT' } as const

/**
 * The error a provider throws for the transport to carry: name, code and data (target and issues) cross the wire.
 * The `ValidationError` class itself is not sent because its own fields do not travel; the caller rebuilds it.
 */
export function wireValidationError(err: ValidationError): Error & { code: string; data: unknown } {
  return refusal('ValidationError', VALIDATION_CODE[err.target], err.message, {
    target: err.target,
    issues: err.issues,
  })
}
