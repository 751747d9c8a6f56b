/**
 * Run the agent's whole iptables cleanup (plan, then one transaction per table) in its own process, so
 * the kill test can SIGKILL it anywhere. Run inside the namespace (`ip netns exec`); logs one JSON line
 * per table applied on stdout.
 */
import { createCommandRunner } from '../../../agent/host/exec.js';
import { createLogger } from '../../../shared/logger.js';
import { applyIptablesPlan, planIptablesCleanup } from '../../../agent/host/iptables/index.js';

const run = createCommandRunner();
const log = createLogger({ component: 'iptables-kill-child', level: 'info' });
const plan = await planIptablesCleanup(run);
log.info({ tables: plan.tables.length }, 'planned');
await applyIptablesPlan(run, plan, { log });
log.info('done');
