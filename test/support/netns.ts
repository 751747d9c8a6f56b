/**
 * Throwaway network namespaces for real-stack tests (we run as root).
 *
 *   const ns = await createNetns('ipt');       // unique name, e.g. "ipt-4242-k3j9"
 *   await ns.run(['iptables-legacy-save']);      // a CommandRunner whose argv runs inside the namespace
 *   readFile(`${ns.procRoot}/net/ip_tables_names`)  // procfs as seen from inside the namespace
 *   await ns.destroy();                          // in afterAll; safe to call twice
 *
 * `procRoot` is `/proc/<pid>` of a small holder process living inside the namespace, so code that reads
 * `/proc/net/…` can be pointed at the namespace's view without running inside it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createCommandRunner, type CommandRunner } from '../../agent/host/exec.js';

export interface Netns {
  readonly name: string;
  /** procfs as seen from inside the namespace (pass as `procRoot`). */
  readonly procRoot: string;
  /** Runs argv inside the namespace (`ip netns exec <name> …`). */
  readonly run: CommandRunner;
  /** Stop the holder and delete the namespace. Idempotent. */
  destroy(): Promise<void>;
}

/** `ip netns exec <name> <argv…>`: for spawning long-lived or killable processes inside a namespace. */
export function netnsExecArgv(name: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', name, ...argv];
}

const HOLDER_READY_DEADLINE_MS = 10_000;

/** Start `cat` inside the namespace and wait until it echoes a line: then it surely lives in the namespace. */
async function startHolder(name: string): Promise<ChildProcessWithoutNullStreams> {
  const [file, ...args] = netnsExecArgv(name, ['cat']);
  const holder = spawn(file ?? 'ip', args, { stdio: 'pipe' });
  const timer = setTimeout(() => holder.kill('SIGKILL'), HOLDER_READY_DEADLINE_MS);
  try {
    holder.stdin.write('ready\n');
    const [chunk] = (await Promise.race([once(holder.stdout, 'data'), once(holder, 'exit')])) as unknown[];
    if (!(chunk instanceof Buffer) || !chunk.toString().includes('ready')) {
      throw new Error(`netns ${name}: holder process did not start`);
    }
    return holder;
  } finally {
    clearTimeout(timer);
  }
}

/** Create a uniquely named namespace (prefix + pid + random suffix) with loopback up. */
export async function createNetns(prefix: string): Promise<Netns> {
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const host = createCommandRunner();
  await host(['ip', 'netns', 'add', name]);
  const run: CommandRunner = (argv, opts) => host(netnsExecArgv(name, argv), opts);
  let holder: ChildProcessWithoutNullStreams;
  try {
    await run(['ip', 'link', 'set', 'lo', 'up']);
    holder = await startHolder(name);
  } catch (e) {
    await host(['ip', 'netns', 'del', name], { allowFailure: true });
    throw e;
  }
  let destroyed = false;
  return {
    name,
    procRoot: `/proc/${holder.pid}`,
    run,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      if (holder.exitCode === null && holder.signalCode === null) {
        const exited = once(holder, 'exit');
        holder.stdin.end();
        await exited;
      }
      await host(['ip', 'netns', 'del', name], { allowFailure: true });
    },
  };
}
