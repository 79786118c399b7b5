/**
 * Reading settings from the environment, the one way every service does it:
 * an unset or empty variable takes its default, anything else must parse or
 * the service stops with a ConfigError naming the variable.
 */
import { ConfigError } from './config-error';

type Env = NodeJS.ProcessEnv;

const set = (env: Env, name: string): string | undefined => {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
};

/** A string setting, or `fallback` when unset or empty. */
export function envString(env: Env, name: string, fallback: string): string;
export function envString(env: Env, name: string): string | undefined;
export function envString(env: Env, name: string, fallback?: string): string | undefined {
  return set(env, name) ?? fallback;
}

/** A required string setting; `hint` says what it is for. */
export function envRequired(env: Env, name: string, hint: string): string {
  const raw = set(env, name);
  if (raw === undefined) throw new ConfigError(name, `is required: ${hint}`);
  return raw;
}

/** An integer in [min, max]. */
export function envInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

/** A finite number greater than zero. */
export function envPositive(env: Env, name: string, fallback: number): number {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(name, `must be a number greater than 0, got "${raw}"`);
  return n;
}

/** true/false (also 1/0, yes/no, any case). */
export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** One of a fixed set of values. */
export function envOneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  if (!values.includes(raw as T)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** A comma-separated list, trimmed, without empty entries. */
export function envList(env: Env, name: string, fallback: readonly string[]): string[] {
  const raw = set(env, name);
  if (raw === undefined) return [...fallback];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
