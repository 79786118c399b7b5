/** The one part of fabric-common's untyped Utils this library uses. */
declare module 'fabric-common/lib/Utils' {
  type LogMethod = (...args: unknown[]) => void;
  /** Replaces the SDK's logger for every SDK logger created after the call. */
  export function setLogger(logger: { debug: LogMethod; info: LogMethod; warn: LogMethod; error: LogMethod }): void;
}
