/** Parses the JSON `ip -j` prints (an array of objects), validated with zod. */
import { z } from 'zod';
import { HostCommandError } from '../../shared/errors.js';

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
