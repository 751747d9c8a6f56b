/**
 * Adapts the iptables module (both backends, both families, plus Calico's nftables tables) to the
 * cleanup's FirewallCleanup port.
 */
import type { CommandRunner } from './exec.js';
import type { Logger } from '../../shared/logger.js';
import type { FirewallCleanup, FirewallPlan } from './firewall-step.js';
import { applyIptablesPlan, applyNftPlan, buildNftPayload, planIptablesCleanup, type IptablesPlan } from './iptables/index.js';
import { iptablesRestoreArgv } from './commands/iptables.js';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

export function firewallCounts(plan: IptablesPlan): Record<string, number> {
  return {
    'iptables-rules': sum(plan.tables.map((t) => t.hookRules.length + t.rulesInChains)),
    'iptables-chains': sum(plan.tables.map((t) => t.chains.length)),
    'nft-tables': plan.nftTables.length,
  };
}

/** Each transaction with the command it is fed to, as a dry run prints it. */
export function firewallPayloads(plan: IptablesPlan): string[] {
  const tables = plan.tables.map((t) => `# ${iptablesRestoreArgv(t.target).join(' ')} (table ${t.table})\n${t.payload}`);
  const nft = plan.nftTables.length > 0 ? [`# nft -f -\n${buildNftPayload(plan.nftTables)}`] : [];
  return [...tables, ...nft];
}

export function createIptablesFirewall(run: CommandRunner, procRoot: string, log: Logger): FirewallCleanup {
  return {
    async plan(): Promise<FirewallPlan> {
      const plan = await planIptablesCleanup(run, { procRoot, log });
      return {
        counts: firewallCounts(plan),
        ipsetsReferencedByOthers: plan.ipsetsReferencedByOthers,
        payloads: firewallPayloads(plan),
        notes: [],
        apply: async () => {
          const ipt = await applyIptablesPlan(run, plan, { log });
          const nft = await applyNftPlan(run, plan);
          return {
            'iptables-rules': ipt.rulesRemoved,
            'iptables-chains': ipt.chainsRemoved,
            'nft-tables': nft.nftTablesRemoved,
          };
        },
      };
    },
  };
}
