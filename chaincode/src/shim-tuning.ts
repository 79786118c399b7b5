/**
 * Two per-transaction costs of fabric-shim that are not the contract's work,
 * removed without changing what the shim does:
 *
 * - It logs through winston, which formats every record (timestamp, metadata,
 *   colours, util.inspect of the arguments) before its transports drop the ones
 *   below the configured level. The shim writes several debug records per state
 *   read or write; that formatting was a fifth of the server's time under load.
 *   Records below a logger's level are now dropped before they are formatted.
 * - It parses the caller's X.509 certificate for every transaction
 *   (ClientIdentity). A parse is a pure function of the PEM text, and a channel
 *   has few callers, so parsed certificates are kept (a bounded number).
 *
 * Imported before the shim, so its loggers and identities use these.
 */
import { createRequire } from 'node:module';

const fromShim = createRequire(require.resolve('fabric-shim'));

interface WinstonLogger {
  isLevelEnabled(level: string): boolean;
  write(chunk: unknown, ...rest: unknown[]): boolean;
}
const LEVEL = Symbol.for('level');
const Logger = fromShim('winston/lib/winston/logger') as { prototype: WinstonLogger };
const write = Logger.prototype.write;
Logger.prototype.write = function (this: WinstonLogger, chunk: unknown, ...rest: unknown[]): boolean {
  const info = chunk as { level?: string; [LEVEL]?: string } | undefined;
  const level = info?.[LEVEL] ?? info?.level;
  if (typeof level === 'string' && !this.isLevelEnabled(level)) return true;
  return write.call(this, chunk, ...rest);
};

const MAX_CERTIFICATES = 512;
const { Certificate } = fromShim('@fidm/x509') as { Certificate: { fromPEM(data: string | Buffer): unknown } };
const parse = Certificate.fromPEM.bind(Certificate);
const parsed = new Map<string, unknown>();
Certificate.fromPEM = (data: string | Buffer): unknown => {
  const key = typeof data === 'string' ? data : data.toString('latin1');
  let cert = parsed.get(key);
  if (cert === undefined) {
    cert = parse(data);
    if (parsed.size >= MAX_CERTIFICATES) parsed.clear();
    parsed.set(key, cert);
  }
  return cert;
};
