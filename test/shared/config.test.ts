import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { z } from 'zod';
import { boolFlag, envName, flagName, intFlag, key, parseConfig, renderConfigReference } from '../../shared/config-spec.js';
import { addConfigOptions, configFromCommand } from '../../shared/cli-config.js';
import { AGENT_ENV_PREFIX, COORDINATOR_ENV_PREFIX, agentConfigSpec, coordinatorConfigSpec } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';

const agentEnv = { CNI_MIGRATE_AGENT_NODE_NAME: 'worker-1', CNI_MIGRATE_AGENT_POD_NAME: 'cni-migrate-agent-abcde' };
const agent = (env: Record<string, string | undefined>, flags: Record<string, unknown> = {}) =>
  parseConfig(agentConfigSpec, AGENT_ENV_PREFIX, { env, flags });
const coordinator = (env: Record<string, string | undefined>, flags: Record<string, unknown> = {}) =>
  parseConfig(coordinatorConfigSpec, COORDINATOR_ENV_PREFIX, { env, flags });

/** The ConfigError a parse throws (fails the test when it does not throw one). */
function configError(parse: () => unknown): ConfigError {
  try {
    parse();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const flagSpec = { dryRun: key(boolFlag(false), 'Only report.') };

describe('names of a key', () => {
  it.each([
    ['nodeName', '--node-name', 'CNI_MIGRATE_AGENT_NODE_NAME'],
    ['healthPort', '--health-port', 'CNI_MIGRATE_AGENT_HEALTH_PORT'],
    ['logLevel', '--log-level', 'CNI_MIGRATE_AGENT_LOG_LEVEL'],
  ])('when the key is %s, then its flag is %s and its env variable %s', (k, flag, env) => {
    expect(flagName(k)).toBe(flag);
    expect(envName(AGENT_ENV_PREFIX, k)).toBe(env);
  });
});

describe('defaults', () => {
  it('when only the required agent keys are set, then every other key takes its default', () => {
    expect(agent(agentEnv)).toEqual({
      nodeName: 'worker-1',
      podName: 'cni-migrate-agent-abcde',
      podNamespace: 'cni-migrate',
      podUid: undefined,
      coordinatorUrl: undefined,
      coordinatorNamespace: 'cni-migrate',
      coordinatorService: 'cni-migrate-coordinator',
      tokenPath: '/var/run/secrets/cni-migrate/token',
      hostRoot: '/host',
      rebootMethod: 'systemctl',
      bootIdPath: '/proc/sys/kernel/random/boot_id',
      bootIdOverride: undefined,
      healthPort: 9877,
      healthBind: '0.0.0.0',
      checkImage: 'ghcr.io/nicolaka/netshoot:v0.13',
      forceCleanup: false,
      logLevel: 'info',
      kubeconfig: undefined,
    });
  });

  it('when nothing is set, then the coordinator starts on its defaults', () => {
    expect(coordinator({})).toMatchObject({
      port: 9876,
      namespace: 'cni-migrate',
      agentServiceAccount: 'cni-migrate-agent',
      probeServiceAccount: 'cni-migrate-probe',
      audience: 'cni-migrate',
      tokenCacheSeconds: 30,
      leaseDurationSeconds: 15,
      drainTimeoutSeconds: 600,
      nodeName: undefined,
    });
  });

  it('when an env variable is empty, then the key takes its default', () => {
    expect(coordinator({ CNI_MIGRATE_PORT: '' }).port).toBe(9876);
  });
});

describe('env and flags', () => {
  it('when an env variable is set, then the key takes it, converted to its type', () => {
    const c = coordinator({ CNI_MIGRATE_PORT: '0', CNI_MIGRATE_DRAIN_TIMEOUT_SECONDS: '30', CNI_MIGRATE_NODE_NAME: 'cp-1' });
    expect(c).toMatchObject({ port: 0, drainTimeoutSeconds: 30, nodeName: 'cp-1' });
  });

  it('when both a flag and its env variable are set, then the flag wins', () => {
    expect(agent({ ...agentEnv, CNI_MIGRATE_AGENT_HEALTH_PORT: '1111' }, { healthPort: '2222' }).healthPort).toBe(2222);
    expect(agent(agentEnv, { nodeName: 'worker-2' }).nodeName).toBe('worker-2');
  });

  it('when an env variable of the other binary is set, then it is ignored', () => {
    expect(agent({ ...agentEnv, CNI_MIGRATE_LOG_LEVEL: 'debug' }).logLevel).toBe('info');
  });
});

describe('booleans', () => {
  it.each([
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
    [true, true],
    [undefined, false],
  ])('when the value is %j, then it reads as %s', (raw, expected) => {
    expect(parseConfig(flagSpec, 'T_', { env: {}, flags: { dryRun: raw } }).dryRun).toBe(expected);
  });

  it('when the env variable says "false", then the key is false (not a truthy string)', () => {
    expect(agent({ ...agentEnv, CNI_MIGRATE_AGENT_FORCE_CLEANUP: 'false' }).forceCleanup).toBe(false);
    expect(agent({ ...agentEnv, CNI_MIGRATE_AGENT_FORCE_CLEANUP: 'true' }).forceCleanup).toBe(true);
  });

  it.each(['yes', 'FALSE', 'on'])('when the value is %j, then it is rejected', (raw) => {
    expect(configError(() => parseConfig(flagSpec, 'T_', { env: { T_DRY_RUN: raw }, flags: {} })).issues).toHaveLength(1);
  });
});

describe('bad values', () => {
  it('when a value is bad, then the message names the flag and the env variable and shows the value', () => {
    const e = configError(() => coordinator({ CNI_MIGRATE_PORT: '70000' }));
    expect(e.code).toBe('ConfigInvalid');
    expect(e.issues).toEqual(['--port / CNI_MIGRATE_PORT: Too big: expected number to be <=65535 (got "70000")']);
    expect(e.message).toContain('--port / CNI_MIGRATE_PORT');
  });

  it.each([
    ['a port that is no number', { CNI_MIGRATE_PORT: 'http' }, '--port / CNI_MIGRATE_PORT'],
    ['a fractional timeout', { CNI_MIGRATE_DRAIN_TIMEOUT_SECONDS: '1.5' }, '--drain-timeout-seconds / CNI_MIGRATE_DRAIN_TIMEOUT_SECONDS'],
    ['a lease shorter than 2 s', { CNI_MIGRATE_LEASE_DURATION_SECONDS: '1' }, '--lease-duration-seconds / CNI_MIGRATE_LEASE_DURATION_SECONDS'],
    ['an unknown log level', { CNI_MIGRATE_LOG_LEVEL: 'verbose' }, '--log-level / CNI_MIGRATE_LOG_LEVEL'],
    ['an uppercase node name', { CNI_MIGRATE_NODE_NAME: 'CP-1' }, '--node-name / CNI_MIGRATE_NODE_NAME'],
  ])('when the coordinator gets %s, then the error names %s', (_what, env, names) => {
    const e = configError(() => coordinator(env));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toContain(names);
  });

  it.each([' ', '1e3', '0x10', '0b11', ' 8080', '80.0', '-1'])('when a port is given as %j, then it is an error, not a number', (raw) => {
    const e = configError(() => coordinator({ CNI_MIGRATE_PORT: raw }));
    expect(e.issues).toEqual([expect.stringContaining(`--port / CNI_MIGRATE_PORT: `)]);
    expect(e.issues[0]).toContain(`(got ${JSON.stringify(raw)})`);
  });

  it('when several keys are bad, then one error names each of them', () => {
    const e = configError(() =>
      agent({ ...agentEnv, CNI_MIGRATE_AGENT_REBOOT_METHOD: 'kexec', CNI_MIGRATE_AGENT_COORDINATOR_URL: 'not a url' }),
    );
    expect(e.issues.map((i) => i.split(':')[0])).toEqual([
      '--coordinator-url / CNI_MIGRATE_AGENT_COORDINATOR_URL',
      '--reboot-method / CNI_MIGRATE_AGENT_REBOOT_METHOD',
    ]);
  });

  it('when a required key is missing, then the error names it and says nothing was given', () => {
    const e = configError(() => agent({ CNI_MIGRATE_AGENT_POD_NAME: 'p' }));
    expect(e.issues).toEqual([expect.stringMatching(/^--node-name \/ CNI_MIGRATE_AGENT_NODE_NAME: .* \(got nothing\)$/)]);
  });

  it('when a boot id override is not a UUID, then it is rejected like any other key', () => {
    const e = configError(() => agent({ ...agentEnv, CNI_MIGRATE_AGENT_BOOT_ID_OVERRIDE: 'abc' }));
    expect(e.issues[0]).toContain('--boot-id-override / CNI_MIGRATE_AGENT_BOOT_ID_OVERRIDE: must be a lowercase UUID');
  });
});

describe('flags through commander', () => {
  const spec = { size: key(intFlag(3, 1, 10), 'How many.'), name: key(z.string().min(1), 'Who.') };

  it('when a command is built from a spec, then each key is a flag whose help names its env variable', () => {
    const cmd = addConfigOptions(new Command('x'), spec, 'X_');
    expect(cmd.options.map((o) => o.long)).toEqual(['--size', '--name']);
    expect(cmd.helpInformation()).toContain('[env X_SIZE]');
  });

  it('when flags are parsed, then they win over env and are validated', () => {
    const cmd = addConfigOptions(new Command('x'), spec, 'X_').exitOverride();
    cmd.parse(['--size', '7'], { from: 'user' });
    expect(configFromCommand(cmd, spec, 'X_', { X_SIZE: '2', X_NAME: 'n' })).toEqual({ size: 7, name: 'n' });
    cmd.parse(['--size', '70'], { from: 'user' });
    expect(configError(() => configFromCommand(cmd, spec, 'X_', { X_NAME: 'n' })).issues[0]).toContain('--size / X_SIZE');
  });
});

describe('the configuration reference', () => {
  it('when rendered, then each key is a row with flag, env, default or (required), and meaning', () => {
    const spec = { size: key(intFlag(3, 1, 10), 'How many.'), name: key(z.string(), 'Who.'), note: key(z.string().optional(), 'Why.') };
    expect(renderConfigReference(spec, 'X_').split('\n')).toEqual([
      '| flag | env | default | meaning |',
      '|---|---|---|---|',
      '| `--size` | `X_SIZE` | `3` | How many. |',
      '| `--name` | `X_NAME` | (required) | Who. |',
      '| `--note` | `X_NOTE` |  | Why. |',
    ]);
  });
});
