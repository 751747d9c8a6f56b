/**
 * Reboot, guarded by the boot id: an order carries the boot id it was issued for, and a node that has
 * booted since refuses it. That is how a retried order never reboots a node twice.
 */
import type { CommandRunner } from './exec.js';
import type { NodeHost } from './node-host.js';
import { rebootArgv, type RebootMethod } from './commands/reboot.js';
import { PreconditionError } from '../../shared/errors.js';

/** Hands the reboot request to the host. */
export async function requestReboot(run: CommandRunner, method: RebootMethod): Promise<void> {
  await run(rebootArgv(method), { timeoutMs: 30_000 });
}

/** Reboots only if the node still runs the boot `expected`; otherwise throws PreconditionError. */
export async function rebootIfBootId(host: Pick<NodeHost, 'bootId' | 'reboot'>, expected: string): Promise<void> {
  const current = await host.bootId();
  if (current !== expected) {
    throw new PreconditionError(`reboot refused: boot id is ${current}, the order was for ${expected} (already rebooted)`);
  }
  await host.reboot();
}
