/**
 * `cni-migrate preflight`, `plan` and `values`: read the live cluster with the user's credentials and print
 * what pre-flight finds, the migration plan, or Cilium's Helm values. Pre-flight and plan end with exit code 1
 * when there are blockers (the report is printed first).
 */
import { CniMigrateError } from '../shared/errors.js';
import { clusterFactsFrom, type ClusterFacts } from './core/facts/index.js';
import { buildPlan, type MigrationPlan } from './core/plan.js';
import { runPreflight, type Finding, type PreflightReport } from './core/preflight/index.js';
import { ciliumValues, type ValuesStage } from './core/values.js';
import type { ClusterRead, ClusterReader } from './kube/cluster-read.js';

export type ReportFormat = 'text' | 'json';

/** Blockers found: the report was printed; the command exits 1. */
export class BlockersFound extends CniMigrateError {
  constructor(count: number) {
    super('PreconditionFailed', `pre-flight found ${count} blocker(s): no node would be touched`);
  }
}

const selectedNames = (r: ClusterRead): Set<string> => new Set(r.selected.map((n) => n.metadata?.name ?? ''));

function preflightOf(r: ClusterRead, facts: ClusterFacts): PreflightReport {
  const scope = selectedNames(r);
  return runPreflight({
    facts,
    overrides: { ciliumCidr: r.spec.validation.ciliumCidr, calicoCidr: r.spec.validation.calicoCidr },
    workloads: { podsInScope: r.pods.filter((p) => scope.has(p.spec?.nodeName ?? '')), allPods: r.pods, pdbs: r.pdbs, drain: r.spec.drain },
  });
}

const findingLines = (fs: readonly Finding[], mark: string): string[] => fs.flatMap((f) => [`  ${mark} ${f.message}`, `      fix: ${f.fix}`]);

function calicoLines(f: ClusterFacts): string[] {
  const c = f.calico;
  const pools = c.ipPools.map((p) => `${p.cidr}${p.disabled ? ' (disabled)' : ''} vxlan=${p.vxlanMode}`).join(', ');
  return [
    `Calico:  ${c.install} install (${c.installEvidence.join(', ') || 'nothing found'}); pools ${pools || 'none'}`,
    `         VXLAN port ${c.felix.vxlanPort}, MTU ${c.mtu?.value ?? 'auto'}, autodetection ${c.autodetection.method}, BGP ${c.bgp.enabled ? 'on' : 'off'} (${c.bgp.peers.length} peer(s)), ${c.policies.length} Calico policy object(s)`,
  ];
}

function helmLine(f: ClusterFacts): string {
  const h = f.cilium.helm;
  return typeof h === 'string' ? h : `${h.namespace}/${h.name} revision ${h.revision} (${h.status}, chart ${h.chartVersion ?? '?'})`;
}

function ciliumLines(f: ClusterFacts): string[] {
  const c = f.cilium.config;
  const nc = f.cilium.nodeConfig;
  const ncText = nc.exists ? `cilium-default (${nc.version ?? '?'})` : 'absent';
  const first = c
    ? `Cilium:  pool ${c.clusterPoolIPv4Cidrs.join(' ') || 'none'}, ${c.routingMode ?? '?'} ${c.tunnelProtocol ?? ''} port ${c.tunnelPort}, custom-cni-conf ${String(c.customCniConf)}, enable-policy ${c.enablePolicy}, host legacy routing ${String(c.hostLegacyRouting)}`
    : 'Cilium:  not installed';
  return [first, `         Helm release: ${helmLine(f)}; CiliumNodeConfig ${ncText}, served: ${nc.servedVersions.join(', ') || 'none'}`];
}

function factsLines(f: ClusterFacts): string[] {
  const n = f.network;
  return [...calicoLines(f), ...ciliumLines(f), `Cluster: Service CIDR ${n.serviceCidrs.join(', ') || 'unknown'} (${n.serviceCidrSource}); ${n.nodes.length} node(s)`];
}

export function renderPreflight(report: PreflightReport, facts: ClusterFacts, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify({ passed: report.blockers.length === 0, ...report, facts }, null, 2)}\n`;
  const verdict = report.blockers.length === 0 ? 'PASSED' : 'BLOCKED';
  return [
    ...factsLines(facts),
    `Validation: migrated nodes' pods in ${report.cidrs?.forward ?? '?'}, rolled-back nodes' pods in ${report.cidrs?.rollback ?? '?'}`,
    `Pre-flight ${verdict}: ${report.blockers.length} blocker(s), ${report.warnings.length} warning(s)`,
    ...findingLines(report.blockers, 'BLOCKER'),
    ...findingLines(report.warnings, 'warning'),
    '',
  ].join('\n');
}

const minutes = (s: number): string => (s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.round((s % 3600) / 60)}m` : `${Math.max(1, Math.round(s / 60))}m`);

export function renderPlan(plan: MigrationPlan, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(plan, null, 2)}\n`;
  const e = plan.estimate;
  const lines = [`Plan: ${plan.nodes.length} node(s), ${e.remaining} to migrate, ${e.concurrency} at a time; about ${minutes(e.totalSeconds)} (${minutes(e.perNodeSeconds)} per node, ${e.basis})`];
  for (const n of plan.nodes) {
    lines.push(`${String(n.position).padStart(3)}. ${n.name} [${n.phase}]: ${n.reason}`);
    for (const p of n.evict) lines.push(`       evict ${p.pod}${p.budgets.length ? `: ${p.budgets.join(', ')}` : ''}`);
    for (const r of n.refused) lines.push(`       drain refuses: ${r}`);
  }
  lines.push(`Pre-flight: ${plan.blockers.length} blocker(s), ${plan.warnings.length} warning(s)`, ...findingLines(plan.blockers, 'BLOCKER'), ...findingLines(plan.warnings, 'warning'), '');
  return lines.join('\n');
}

/** `cni-migrate preflight`: the report; throws BlockersFound (exit 1) after printing when blocked. */
export async function preflightCommand(read: ClusterReader, format: ReportFormat, out: (t: string) => void): Promise<void> {
  const r = await read();
  const facts = clusterFactsFrom(r.raw);
  const report = preflightOf(r, facts);
  out(renderPreflight(report, facts, format));
  if (report.blockers.length > 0) throw new BlockersFound(report.blockers.length);
}

export async function planCommand(read: ClusterReader, format: ReportFormat, out: (t: string) => void): Promise<void> {
  const r = await read();
  const report = preflightOf(r, clusterFactsFrom(r.raw));
  const nodes = r.selected;
  const plan = buildPlan({ nodes, pods: r.pods, pdbs: r.pdbs, drain: r.spec.drain, includeControlPlane: r.spec.includeControlPlane, concurrency: r.spec.concurrency, preflight: report });
  out(renderPlan(plan, format));
  if (report.blockers.length > 0) throw new BlockersFound(report.blockers.length);
}

export async function valuesCommand(read: ClusterReader, stage: ValuesStage, out: (t: string) => void): Promise<void> {
  const r = await read();
  out(ciliumValues(stage, clusterFactsFrom(r.raw)));
}
