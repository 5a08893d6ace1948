/**
 * The Standard Schema V1 interface (https://standardschema.dev), written out here as types only: zod, valibot,
 * arktype and others implement it, so a method can declare a schema of any of them without this package depending
 * on one.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>
}

/** The `~standard` property of a schema. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1
  readonly vendor: string
  readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>
  /** Carries the input and output types for inference only; never read at run time. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined
}

/** What `validate` returns: the (possibly transformed) value, or the issues. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardSchemaIssue[] }

/** One problem found by a schema. */
export interface StandardSchemaIssue {
  readonly message: string
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined
}

/** The type a schema accepts (what the caller passes). */
export type InferSchemaInput<S> = S extends StandardSchemaV1<infer I, unknown> ? I : never

/** The type a schema produces (what the handler receives). */
export type InferSchemaOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : never
