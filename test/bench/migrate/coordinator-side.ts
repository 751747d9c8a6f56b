/**
 * `bench:migrate`'s coordinator process: one coordinator replica (engine and agent API) with the
 * coordinator ServiceAccount's token, alone in its process so that its peak RSS and CPU time are its own.
 */
import { pino } from 'pino';
import { kubeConfigFor } from '../../../sim/apiserver/index.js';
import { createLogger, LOG_LEVELS, silentLogger, type LogLevel } from '../../../shared/logger.js';
import { demoCoordinatorConfig } from '../../../sim/demo/coordinators.js';
import { startCoordinatorReplica, type CoordinatorReplica } from '../../../sim/demo/coordinator-replica.js';
import type { ToCoordinator, ToDriver } from './protocol.js';

const send = (m: ToDriver): void => void process.send?.(m);

/** Deadlines far beyond anything the bench should take: a halt here is a finding, never a pass. */
const BENCH_DEADLINES = { drainTimeoutSeconds: 600, rebootTimeoutSeconds: 600, validateTimeoutSeconds: 600, leaseDurationSeconds: 15 };

/** BENCH_LOG=<level> shows the coordinator's log on stderr (to find why a run stalls). */
const level = process.env.BENCH_LOG;
const log = LOG_LEVELS.includes(level as LogLevel) ? createLogger({ component: 'coordinator', level: level as LogLevel, destination: pino.destination(2) }) : silentLogger();

let replica: CoordinatorReplica | undefined;

function usage(): ToDriver {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);
  return {
    kind: 'usage',
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMiB: mib(mem.heapUsed),
    externalMiB: mib(mem.external),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

async function handle(m: ToCoordinator): Promise<void> {
  switch (m.kind) {
    case 'start':
      replica = await startCoordinatorReplica({
        kc: kubeConfigFor(m.server, m.token),
        config: demoCoordinatorConfig(BENCH_DEADLINES),
        identity: 'cni-migrate-coordinator-bench',
        log,
        limits: { heartbeatIntervalSeconds: 10, longPollSeconds: 30 },
      });
      send({ kind: 'coordinator-started' });
      return;
    case 'usage':
      send(usage());
      return;
    case 'stop':
      await replica?.stop();
      process.exit(0);
  }
}

process.on('message', (m: ToCoordinator) => {
  handle(m).catch((e: unknown) => {
    send({ kind: 'failed', message: `coordinator: ${e instanceof Error ? e.message : String(e)}` });
  });
});
