export { type Codec, type CodecOption, jsonCodec, msgpackCodec } from './codec.js'
export {
  AbortError,
  CodecError,
  ConnectionError,
  NoProviderError,
  OverloadError,
  PayloadTooLargeError,
  RedisUnavailableError,
  RemoteError,
  type RemoteErrorInfo,
  ReplyFailedError,
  ShutdownError,
  TimeoutError,
  TransportError,
  type TransportErrorCode,
  type TransportErrorOptions,
  type UnavailableReason,
} from './errors.js'
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
