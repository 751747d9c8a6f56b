/**
 * One definition per configuration key gives its zod schema, its flag, its env variable and its
 * documentation. Flags win over env, env over defaults. Parsing happens once, in `main`.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';

export interface ConfigKey<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
}
export type ConfigSpec = Record<string, ConfigKey>;
export type ConfigOf<T extends ConfigSpec> = { [K in keyof T]: z.output<T[K]['schema']> };

export const key = <S extends z.ZodType>(schema: S, description: string): ConfigKey<S> => ({ schema, description });

/** "true"/"false"/"1"/"0" (and boolean true from a bare flag). Unlike z.coerce.boolean, "false" is false. */
export const boolFlag = (dflt: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .default(dflt)
    .transform((v) => v === true || v === 'true' || v === '1');

/**
 * A whole number in [min, max], given as decimal digits ("30") or a number. Unlike z.coerce.number, a blank
 * value (" " would be 0) and "1e3", "0x10" or "0b11" are errors, not numbers.
 */
export const intFlag = (dflt: number, min: number, max: number) =>
  z
    .preprocess((v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v), z.number().int().min(min).max(max))
    .default(dflt);

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

export const flagName = (k: string): string => `--${kebab(k)}`;
export const envName = (prefix: string, k: string): string => `${prefix}${snake(k)}`;

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** Flag values keyed by the camelCase key (commander's `opts()`). */
  flags: Record<string, unknown>;
}

/** Merge flags over env, validate with zod, and fail with one message naming every bad key. */
export function parseConfig<T extends ConfigSpec>(spec: T, envPrefix: string, src: ConfigSources): ConfigOf<T> {
  const out: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const [k, def] of Object.entries(spec)) {
    const raw = src.flags[k] ?? src.env[envName(envPrefix, k)];
    const parsed = def.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) {
      out[k] = parsed.data;
    } else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      const shown = raw === undefined ? 'nothing' : JSON.stringify(raw);
      issues.push(`${flagName(k)} / ${envName(envPrefix, k)}: ${why} (got ${shown})`);
    }
  }
  if (issues.length > 0) throw new ConfigError(`invalid configuration:\n  ${issues.join('\n  ')}`, issues);
  return out as ConfigOf<T>;
}

/** A Markdown table of the keys: the README's configuration reference is checked against this. */
export function renderConfigReference<T extends ConfigSpec>(spec: T, envPrefix: string): string {
  const rows = Object.entries(spec).map(([k, def]) => {
    const d = def.schema.safeParse(undefined);
    const dflt = !d.success ? '(required)' : d.data === undefined ? '' : `\`${JSON.stringify(d.data)}\``;
    return `| \`${flagName(k)}\` | \`${envName(envPrefix, k)}\` | ${dflt} | ${def.description} |`;
  });
  return ['| flag | env | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
