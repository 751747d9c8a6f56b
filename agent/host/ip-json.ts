/** Parses the JSON `ip -j` prints (an array of objects), validated with zod. */
import { z } from 'zod';
import { HostCommandError } from '../../shared/errors.js';
import type { CommandRunner } from './exec.js';

export function parseIpJson<T extends z.ZodType>(argv: readonly string[], stdout: string, item: T): z.output<T>[] {
  const text = stdout.trim();
  if (text === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HostCommandError(argv, 0, `output is not JSON: ${text.slice(0, 200)}`, e);
  }
  const parsed = z.array(item).safeParse(raw);
  if (!parsed.success) {
    throw new HostCommandError(argv, 0, `unexpected output: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A kernel without IPv6 (ipv6.disable=1) answers `ip -6 …` so: there is nothing of that family to find. */
const FAMILY_UNSUPPORTED = /Address family not supported|not supported by protocol/i;

/** Runs an `ip -j` listing and parses it; a family the kernel does not support lists as empty. */
export async function listIpJson<T extends z.ZodType>(run: CommandRunner, argv: readonly string[], item: T): Promise<z.output<T>[]> {
  const res = await run(argv, { allowFailure: true });
  if (res.exitCode === 0) return parseIpJson(argv, res.stdout, item);
  if (FAMILY_UNSUPPORTED.test(res.stderr)) return [];
  throw new HostCommandError(argv, res.exitCode, res.stderr);
}
