/**
 * The coordinator as its pods run it: the real binary in separate OS processes, one per replica, each
 * SIGKILLed on demand and started again with the same pod name or a new one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface ReplicaSpec {
  /** The built `dist/.../coordinator/main.js`. */
  main: string;
  kubeconfig: string;
  /** Extra `coordinator` flags (deadlines, Lease duration). */
  flags: Record<string, string>;
  /** When set, each process's log (level info) goes to `<logDir>/<pod name>.log`, appended across restarts. */
  logDir?: string;
}

interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
  startedAt: number;
  generation: number;
  /** The end of what the process printed (its error log), shown when it exits on its own. */
  output: string;
}

/** How much of a replica's output is kept. */
const OUTPUT_TAIL = 2000;
/** A replica that exits on its own is started again after this long (the kubelet restarts a failed container). */
const RESTART_AFTER_EXIT_MS = 1000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export class CoordinatorProcesses {
  private readonly replicas: Replica[] = [];
  kills = 0;
  startupKills = 0;
  /** Replicas that exited on their own: `<name>: exit <code>: <last output>`. */
  readonly exits: string[] = [];
  private stopped = false;

  constructor(private readonly spec: ReplicaSpec) {}

  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) this.replicas.push(this.spawn(`cni-migrate-coordinator-${i}-1`, await freePort(), 1));
  }

  names(): string[] {
    return this.replicas.map((r) => r.name);
  }

  /** SIGKILL replica `i` and start it again at once, under its old pod name or a new one. */
  async kill(i: number, samePodName: boolean, duringStartup = false): Promise<void> {
    const r = this.replicas[i];
    if (r === undefined) return;
    await this.killChild(r.child);
    // A kill that was under way when the run stopped starts nothing again (a child started after stopAll
    // would outlive the run and keep the test's worker from exiting).
    if (this.stopped) return;
    this.kills += 1;
    if (duringStartup) this.startupKills += 1;
    const generation = r.generation + 1;
    const name = samePodName ? r.name : `cni-migrate-coordinator-${i}-${generation}`;
    if (this.spec.logDir !== undefined) {
      const line = { time: new Date().toISOString(), killed: r.name, ranMs: Date.now() - r.startedAt, duringStartup, next: name };
      appendFileSync(path.join(this.spec.logDir, 'kills.log'), `${JSON.stringify(line)}\n`);
    }
    this.replicas[i] = this.spawn(name, r.port, generation);
  }

  /** When replica `i`'s current process was started (epoch ms), undefined for no such replica. */
  startedAt(i: number): number | undefined {
    return this.replicas[i]?.startedAt;
  }

  /** The replica started last (the youngest process). */
  youngest(): number {
    let best = -1;
    this.replicas.forEach((r, i) => {
      if (best < 0 || r.startedAt > (this.replicas[best]?.startedAt ?? 0)) best = i;
    });
    return best;
  }

  indexOf(podName: string | undefined): number {
    return this.replicas.findIndex((r) => r.name === podName);
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.replicas.splice(0).map((r) => this.killChild(r.child)));
  }

  private spawn(name: string, port: number, generation: number): Replica {
    const flags = {
      ...this.spec.flags,
      kubeconfig: this.spec.kubeconfig,
      port: String(port),
      'bind-address': '127.0.0.1',
      'advertise-address': '127.0.0.1',
      'pod-name': name,
      'log-level': this.spec.logDir === undefined ? 'error' : 'info',
    };
    const argv = [this.spec.main, 'coordinator', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const replica: Replica = { name, port, child, startedAt: Date.now(), generation, output: '' };
    const keep = (chunk: Buffer): void => {
      replica.output = (replica.output + chunk.toString()).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (this.spec.logDir !== undefined) {
      const file = createWriteStream(path.join(this.spec.logDir, `${name}.log`), { flags: 'a' });
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
    }
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL' || this.stopped) return;
      this.exits.push(`${name}: exit ${code ?? signal}: ${replica.output.trim().split('\n').slice(-3).join(' | ')}`);
      setTimeout(() => {
        const i = this.replicas.indexOf(replica);
        if (i >= 0 && !this.stopped) this.replicas[i] = this.spawn(name, port, generation);
      }, RESTART_AFTER_EXIT_MS);
    });
    return replica;
  }

  private async killChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
