/** Largest sample; 0 for none. */
export function max(samples: readonly number[]): number {
  return samples.reduce((a, b) => Math.max(a, b), 0)
}
