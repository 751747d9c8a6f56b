/**
 * Maps a thrown value to a message and an exit code for `main`: 2 for bad configuration or usage,
 * 1 for everything else.
 */
import { CommanderError } from 'commander';
import { CniMigrateError } from './errors.js';

export function exitCodeFor(e: unknown): { code: number; message: string } {
  if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, message: '' };
  if (e instanceof CniMigrateError) return { code: e.code === 'ConfigInvalid' ? 2 : 1, message: e.message };
  return { code: 1, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
