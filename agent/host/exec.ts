/**
 * The single executor of host commands. Every host command is an argv array built in
 * `agent/host/commands/`, run through a CommandRunner. Tests pass a fake runner (or the real one inside
 * a network namespace).
 */
import { execa } from 'execa';
import { HostCommandError } from '../../shared/errors.js';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin (restore payloads). */
  input?: string;
  /** Return non-zero exits instead of throwing HostCommandError. */
  allowFailure?: boolean;
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
}

export type CommandRunner = (argv: readonly string[], opts?: RunOptions) => Promise<CommandResult>;

/** Runs argv with execa: no shell, ever. */
export function createCommandRunner(): CommandRunner {
  return async (argv, opts = {}) => {
    const [file, ...args] = argv;
    if (file === undefined) throw new HostCommandError(argv, undefined, 'empty argv');
    const res = await execa(file, args, {
      input: opts.input,
      reject: false,
      timeout: opts.timeoutMs,
      stripFinalNewline: false,
      maxBuffer: 512 * 1024 * 1024,
    });
    const result = { exitCode: res.exitCode ?? -1, stdout: res.stdout, stderr: res.stderr };
    if (result.exitCode !== 0 && !opts.allowFailure) {
      throw new HostCommandError(argv, res.exitCode, res.stderr || (res.shortMessage ?? ""), res.cause);
    }
    return result;
  };
}
