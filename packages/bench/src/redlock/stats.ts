/** Percentile of a list of samples (nearest rank); 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Largest sample; 0 for none. */
export function max(samples: readonly number[]): number {
  return samples.reduce((a, b) => Math.max(a, b), 0)
}
