/** The default prefix of every key and channel of the RPC stack (registry, transport, facade). */
export const DEFAULT_NAMESPACE = 'redrpc'
