/** One of `bench:migrate`'s processes, forked with an IPC channel: asked by message, stopped as told. */
import { fork, type ChildProcess } from 'node:child_process';
import type { ToCoordinator, ToDriver, ToSim } from './protocol.js';

export interface ChildOptions {
  args?: string[];
  /** Node's flags for this process (BENCH_CPU_PROF=<dir> adds a CPU profile). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** How it is told to stop: a `stop` message (the bench's own processes) or a signal (the coordinator's binary, as a pod is stopped). */
  stopWith?: 'message' | NodeJS.Signals;
  /** Where its stdout goes (default: nowhere; the driver's own stdout carries only its result). */
  stdout?: 'ignore' | 'stderr';
}

const profiling = (): string[] => (process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []);

export class Child {
  private readonly proc: ChildProcess;
  private readonly waiting = new Map<string, (m: ToDriver) => void>();
  private failure: ((e: Error) => void) | undefined;
  /** Settles when the process ends, with the reason as an error. */
  readonly exited: Promise<Error>;

  constructor(
    private readonly script: string,
    private readonly opts: ChildOptions = {},
  ) {
    const execArgv = [...profiling(), ...(opts.execArgv ?? [])];
    this.proc = fork(script, opts.args ?? [], { execArgv, env: opts.env ?? process.env, stdio: ['ignore', opts.stdout === 'stderr' ? 2 : 'ignore', 'inherit', 'ipc'] });
    this.proc.on('message', (m: ToDriver) => {
      if (m.kind === 'failed') this.failure?.(new Error(m.message));
      this.waiting.get(m.kind)?.(m);
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        const e = new Error(`${script} exited (${code ?? signal ?? 'unknown'})`);
        this.failure?.(e);
        resolve(e);
      });
    });
  }

  ask<K extends ToDriver['kind']>(msg: ToSim | ToCoordinator, kind: K, deadlineMs: number): Promise<Extract<ToDriver, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} within ${deadlineMs / 1000}s`)), deadlineMs);
      this.failure = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      this.waiting.set(kind, (m) => {
        clearTimeout(timer);
        this.waiting.delete(kind);
        resolve(m as Extract<ToDriver, { kind: K }>);
      });
      // A process that already ended is named with how it ended (a send to it would only say its channel closed).
      this.proc.send(msg, (err) => {
        if (err) void this.exited.then((e) => this.failure?.(e));
      });
    });
  }

  async stop(): Promise<void> {
    this.failure = undefined;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const stopWith = this.opts.stopWith ?? 'message';
    if (stopWith === 'message') this.proc.send({ kind: 'stop' });
    else this.proc.kill(stopWith);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}
