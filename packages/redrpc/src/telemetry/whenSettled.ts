/**
 * Runs `done` once `promise` settles, with the error when it rejected (a rejection with no value counts as an
 * error too), and passes its outcome on unchanged: the one way the telemetry hooks close what they opened.
 */
export function whenSettled<T>(promise: Promise<T>, done: (err: unknown) => void): Promise<T> {
  return promise.then(
    (value) => {
      done(undefined)
      return value
    },
    (err: unknown) => {
      done(err ?? new Error('undefined'))
      throw err
    },
  )
}
