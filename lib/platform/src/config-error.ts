/**
 * A setting that cannot work: missing, malformed, or pointing at something
 * that does not exist. The message starts with the setting's name, so an
 * operator sees at once what to fix; services print it without a stack trace.
 */
import { ServiceError } from './errors';

export class ConfigError extends ServiceError {
  /** The setting at fault, e.g. `FABRIC_KEY_FILE`. */
  readonly setting: string;

  constructor(setting: string, problem: string, cause?: unknown) {
    super({ code: 'CONFIG_INVALID', message: `${setting}: ${problem}`, httpStatus: 500, cause, details: { setting } });
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** True for a ConfigError (also across copies of this module). */
export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ServiceError && err.code === 'CONFIG_INVALID';
}
