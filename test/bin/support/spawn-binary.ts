/**
 * Runs a compiled binary as a child process and follows its output: the structured JSON log lines on stdout,
 * its stderr, and its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningBinary {
  child: ChildProcess;
  /** Every stdout line parsed as JSON (non-JSON lines are kept as `{ text }`). */
  lines: Record<string, unknown>[];
  stderr(): string;
  /** The first stdout line `match` accepts, waiting up to `timeoutMs`. */
  waitForLine(match: (l: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  exited: Promise<Exit>;
  /** Resolves with the exit, or rejects when the process is still running after `timeoutMs`. */
  exitWithin(timeoutMs: number): Promise<Exit>;
}

function parseLine(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : { text };
  } catch {
    return { text };
  }
}

function withDeadline<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Starts `node <script> ...args` with exactly `env` (plus PATH), never the test runner's environment. */
export function startBinary(script: string, args: readonly string[], env: Record<string, string>): RunningBinary {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      const l = parseLine(text);
      lines.push(l);
      for (const w of waiters.filter((x) => x.match(l))) w.resolve(l);
    });
  }
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine: (match, timeoutMs) => {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      const found = new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve }));
      const endedFirst = exited.then((e) => {
        throw new Error(`exited (${e.code ?? e.signal}) before the expected line; stderr: ${stderr}`);
      });
      return withDeadline(Promise.race([found, endedFirst]), timeoutMs, 'waiting for a log line');
    },
    exited,
    exitWithin: (timeoutMs) => withDeadline(exited, timeoutMs, 'waiting for the process to exit'),
  };
}
