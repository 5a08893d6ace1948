export { type Codec, type CodecOption, jsonCodec, msgpackCodec } from './codec.js'
// Every error class and its types: errors.ts holds only what users catch and check.
export * from './errors.js'
export type {
  OverflowPolicy,
  RequestOptions,
  TransportClientOptions,
  TransportServerOptions,
} from './options.js'
export { TransportClient } from './TransportClient.js'
export { type AdoptOptions, type StopOptions, TransportServer } from './TransportServer.js'
export type { Handler, HandlerContext } from './types.js'

/** The name this package is published under. */
export const packageName = '@org/transport' as const
