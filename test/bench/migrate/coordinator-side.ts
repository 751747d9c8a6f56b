/**
 * `bench:migrate`'s one addition to the coordinator's process, loaded with `--import` ahead of the real
 * binary (`cni-migrate coordinator`): it answers the driver's question about the process's resource use over
 * the IPC channel. It loads Node's built-ins only, so the process holds what the deployed coordinator holds,
 * and it never keeps the process alive (the channel is unreferenced; the binary exits on SIGTERM as in a pod).
 */
import { writeHeapSnapshot } from 'node:v8';
import type { CoordinatorUsage, ToCoordinator } from './protocol.js';

const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

function usage(): CoordinatorUsage {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    kind: 'usage',
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMiB: mib(mem.heapUsed),
    externalMiB: mib(mem.external),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

/** BENCH_HEAP_SNAPSHOT=<file> writes a heap snapshot there when the usage is asked (to see what the heap holds). */
const snapshotFile = process.env.BENCH_HEAP_SNAPSHOT;

process.on('message', (m: ToCoordinator) => {
  if (m.kind !== 'usage') return;
  const answer = usage();
  if (snapshotFile) writeHeapSnapshot(snapshotFile);
  process.send?.(answer);
});
process.channel?.unref();
