/**
 * Wires a ConfigSpec into a commander command: one `--flag <value>` per key, described from the spec.
 */
import type { Command } from 'commander';
import { envName, flagName, parseConfig, type ConfigOf, type ConfigSpec } from './config-spec.js';

export function addConfigOptions(cmd: Command, spec: ConfigSpec, envPrefix: string): Command {
  for (const [k, def] of Object.entries(spec)) {
    cmd.option(`${flagName(k)} <value>`, `${def.description} [env ${envName(envPrefix, k)}]`);
  }
  return cmd;
}

export function configFromCommand<T extends ConfigSpec>(
  cmd: Command,
  spec: T,
  envPrefix: string,
  env: Record<string, string | undefined>,
): ConfigOf<T> {
  return parseConfig(spec, envPrefix, { env, flags: cmd.opts() });
}
