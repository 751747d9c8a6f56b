/**
 * Maps a thrown value to a message and an exit code for `main`: 2 for bad configuration or usage,
 * 1 for everything else. Expected failures (ours, and an unreachable server) print one line; only an
 * unexpected error (a bug) prints its stack.
 */
import { CommanderError } from 'commander';
import { CniMigrateError } from './errors.js';

/** A network failure of an HTTP client (connection refused, DNS, TLS, reset): the message says it all. */
function isNetworkError(e: Error): boolean {
  const code = (e as Error & { code?: unknown }).code;
  return e.name === 'FetchError' || (typeof code === 'string' && /^(E[A-Z]+|UND_ERR|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED)/.test(code));
}

export function exitCodeFor(e: unknown): { code: number; message: string } {
  if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, message: '' };
  if (e instanceof CniMigrateError) return { code: e.code === 'ConfigInvalid' ? 2 : 1, message: e.message };
  if (e instanceof Error && isNetworkError(e)) return { code: 1, message: e.message };
  return { code: 1, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
