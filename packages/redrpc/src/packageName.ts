/** The name this package is published under. */
export const packageName = '@org/redrpc' as const
