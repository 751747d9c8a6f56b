import { describe, it, expect } from '@jest/globals';
import { CommanderError } from 'commander';
import { runAgentCli, type AgentCliHandlers, type CleanupFlags, type NodeCommandFlags } from '../../agent/cli.js';
import { exitCodeFor } from '../../shared/exit.js';

function recordingHandlers(code = 0) {
  const calls: { inventory: NodeCommandFlags[]; cleanup: CleanupFlags[]; run: number } = { inventory: [], cleanup: [], run: 0 };
  const handlers: AgentCliHandlers = {
    run: async () => {
      calls.run++;
    },
    inventory: async (f) => {
      calls.inventory.push(f);
      return code;
    },
    cleanup: async (f) => {
      calls.cleanup.push(f);
      return code;
    },
  };
  return { calls, handlers };
}

const argv = (...args: string[]): string[] => ['node', 'cni-migrate-agent', ...args];
const silenced = async <T>(fn: () => Promise<T>): Promise<T> => {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
};

describe('agent command line: inventory and cleanup', () => {
  it('when inventory runs with defaults, then it reads text, /host and /proc, and returns the handler code', async () => {
    const { calls, handlers } = recordingHandlers(1);
    expect(await runAgentCli(argv('inventory'), {}, handlers)).toBe(1);
    expect(calls.inventory).toEqual([{ output: 'text', hostRoot: '/host', procRoot: '/proc' }]);
  });

  it('when the host root comes from the agent env, then inventory uses it unless the flag says otherwise', async () => {
    const { calls, handlers } = recordingHandlers();
    const env = { CNI_MIGRATE_AGENT_HOST_ROOT: '/mnt/host' };
    await runAgentCli(argv('inventory', '-o', 'json'), env, handlers);
    await runAgentCli(argv('inventory', '--host-root', '/'), env, handlers);
    expect(calls.inventory.map((f) => [f.output, f.hostRoot])).toEqual([
      ['json', '/mnt/host'],
      ['text', '/'],
    ]);
  });

  it('when cleanup gets every flag, then the handler receives them and its exit code is returned', async () => {
    const { calls, handlers } = recordingHandlers(0);
    const code = await runAgentCli(argv('cleanup', '--dry-run', '--force', '-o', 'json', '--host-root', '/tmp/h', '--proc-root', '/tmp/p'), {}, handlers);
    expect(code).toBe(0);
    expect(calls.cleanup).toEqual([{ output: 'json', hostRoot: '/tmp/h', procRoot: '/tmp/p', dryRun: true, force: true }]);
  });

  it('when cleanup runs without flags, then it applies (no dry run) and does not force', async () => {
    const { calls, handlers } = recordingHandlers(1);
    expect(await runAgentCli(argv('cleanup'), {}, handlers)).toBe(1);
    expect(calls.cleanup[0]).toMatchObject({ dryRun: false, force: false });
  });

  it.each([
    ['an unknown output format', ['cleanup', '-o', 'yaml']],
    ['an unknown flag', ['inventory', '--everything']],
    ['a flag missing its value', ['cleanup', '--host-root']],
    ['an unknown command', ['explode']],
  ])('when given %s, then it fails as usage (exit 2) and no handler runs', async (_what, args) => {
    const { calls, handlers } = recordingHandlers();
    const failure = await silenced(() => runAgentCli(argv(...args), {}, handlers).catch((e: unknown) => e));
    expect(failure).toBeInstanceOf(CommanderError);
    expect(exitCodeFor(failure).code).toBe(2);
    expect(calls.inventory.length + calls.cleanup.length).toBe(0);
  });
});
