/**
 * Settles like `work`, or rejects with `onTimeout()` once `ms` pass first. The timer does not keep the process alive,
 * and a late failure of `work` is swallowed (it was already reported by the timeout).
 */
export function withinTime<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms)
    timer.unref()
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}
