/**
 * fabric-shim logs through winston, which formats every record (timestamp,
 * metadata, colours, util.inspect of the arguments) before its transports
 * drop the ones below the configured level. The shim writes several debug
 * records per state read or write, so a chaincode at level info spent a tenth
 * of its time formatting lines nobody sees. Records below a logger's level are
 * dropped here before they are formatted; what is written is unchanged.
 */
import { createRequire } from 'node:module';

interface WinstonLogger {
  isLevelEnabled(level: string): boolean;
  write(chunk: unknown, ...rest: unknown[]): boolean;
}

const LEVEL = Symbol.for('level');
const fromShim = createRequire(require.resolve('fabric-shim'));
const Logger = fromShim('winston/lib/winston/logger') as { prototype: WinstonLogger };
const write = Logger.prototype.write;

Logger.prototype.write = function (this: WinstonLogger, chunk: unknown, ...rest: unknown[]): boolean {
  const info = chunk as { level?: string; [LEVEL]?: string } | undefined;
  const level = info?.[LEVEL] ?? info?.level;
  if (typeof level === 'string' && !this.isLevelEnabled(level)) return true;
  return write.call(this, chunk, ...rest);
};
