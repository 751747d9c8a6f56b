#!/usr/bin/env node
/** Entry point of `npm run sim`. Logs go to stderr; stdout carries only the API server URL. */
import { pino } from 'pino';
import { exitCodeFor } from '../../shared/exit.js';
import { createLogger } from '../../shared/logger.js';
import { untilStopSignal } from '../../shared/signals.js';
import { startSimCluster } from '../index.js';
import { buildSimProgram, simOptionsFrom, wantsTls, writeKubeconfig } from './cli.js';
import { selfSignedCert } from './self-signed.js';

async function main(): Promise<void> {
  const program = buildSimProgram({
    run: async (flags, level) => {
      const log = createLogger({ component: 'sim', level, destination: pino.destination(2) });
      const stop = untilStopSignal();
      const tls = wantsTls(flags) ? await selfSignedCert(flags.host ?? '127.0.0.1') : undefined;
      const sim = await startSimCluster({ ...simOptionsFrom(flags), ...(tls ? { tls } : {}) }, log);
      if (flags.writeKubeconfig) await writeKubeconfig(sim, flags.writeKubeconfig);
      const server = sim.kubeConfig().getCurrentCluster()?.server ?? '';
      process.stdout.write(`${server}\n`);
      log.info({ server, nodes: sim.nodeNames().length, mode: sim.api ? 'standalone' : 'kubelets-only' }, 'simulated cluster running');
      const signal = await stop;
      log.info({ signal }, 'stopping');
      await sim.close();
    },
  });
  await program.parseAsync(process.argv);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const { code, message } = exitCodeFor(e);
    if (message) process.stderr.write(`sim: ${message}\n`);
    process.exit(code);
  },
);
