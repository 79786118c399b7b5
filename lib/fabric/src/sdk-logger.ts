/**
 * Where fabric-network's own log lines go. The SDK logs every failed
 * endorsement as an error with a stack trace on the console, although each
 * failure also reaches the caller as a thrown error that the caller maps
 * (an ordinary chaincode rejection is a 4xx) and logs once. So the SDK's
 * lines are kept out of the console: they go, one line each, to the logger
 * set with {@link setSdkLogger} at debug level (trace for its debug lines),
 * or nowhere until one is set.
 *
 * The SDK binds its loggers when its modules load, so this module installs a
 * forwarding logger first: every file of this library that imports the SDK
 * imports this module before it.
 */
import { format } from 'node:util';
// Utils alone: the package's entry would load the SDK (and bind its loggers) first.
import { setLogger } from 'fabric-common/lib/Utils';
import type { Logger } from 'pino';

let target: Logger | undefined;

const forward =
  (level: 'debug' | 'trace') =>
  (...args: unknown[]) => {
    if (!target?.isLevelEnabled(level)) return;
    // One line: the first of the formatted message (an error's stack stays out).
    target[level]({ component: 'fabric-sdk' }, format(...args).split('\n')[0]);
  };

setLogger({ debug: forward('trace'), info: forward('debug'), warn: forward('debug'), error: forward('debug') });

/** Sends the Fabric SDK's log lines to `logger` (debug and trace levels); `undefined` drops them. */
export function setSdkLogger(logger: Logger | undefined): void {
  target = logger;
}
