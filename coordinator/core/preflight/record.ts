/**
 * What pre-flight records in the Migration status (`status.preflight`): when it ran, whether it passed, each
 * blocker and warning with its fix, the validation CIDRs, and a compact view of what was read.
 */
import { z } from 'zod';
import type { ClusterFacts } from '../facts/model.js';
import type { PreflightReport } from './index.js';

const FindingSchema = z.object({
  severity: z.enum(['blocker', 'warning']),
  check: z.string(),
  message: z.string(),
  fix: z.string(),
});

export const PreflightStatusSchema = z.object({
  checkedAt: z.string(),
  /** A digest of the Migration spec the check ran for: a new leader resumes from a passed check of the same spec. */
  specDigest: z.string().optional(),
  passed: z.boolean(),
  blockers: z.array(FindingSchema),
  warnings: z.array(FindingSchema),
  /** The pod CIDRs each validation expects: Cilium's on a migrated node, Calico's on a rolled-back one. */
  validation: z.object({ ciliumCidr: z.string(), calicoCidr: z.string() }).optional(),
  cluster: z.object({
    calicoInstall: z.string(),
    calicoPools: z.array(z.string()),
    calicoVxlanPort: z.number().int(),
    calicoAutodetection: z.string(),
    calicoBgp: z.boolean(),
    ciliumPools: z.array(z.string()),
    ciliumTunnelPort: z.number().int().optional(),
    ciliumNodeConfigVersion: z.string().optional(),
    ciliumHelmRelease: z.string().optional(),
    serviceCidrs: z.array(z.string()),
  }),
});
export type PreflightStatus = z.infer<typeof PreflightStatusSchema>;

function helmRelease(f: ClusterFacts): string | undefined {
  const h = f.cilium.helm;
  return typeof h === 'string' ? undefined : `${h.namespace}/${h.name} revision ${h.revision} (${h.status})`;
}

export function preflightStatus(report: PreflightReport, f: ClusterFacts, now: Date, specDigest?: string): PreflightStatus {
  const version = f.cilium.nodeConfig.version;
  const release = helmRelease(f);
  return {
    checkedAt: now.toISOString(),
    ...(specDigest === undefined ? {} : { specDigest }),
    passed: report.blockers.length === 0,
    blockers: report.blockers,
    warnings: report.warnings,
    ...(report.cidrs ? { validation: { ciliumCidr: report.cidrs.forward, calicoCidr: report.cidrs.rollback } } : {}),
    cluster: {
      calicoInstall: f.calico.install,
      calicoPools: f.calico.ipPools.map((p) => `${p.cidr}${p.disabled ? ' (disabled)' : ''}`),
      calicoVxlanPort: f.calico.felix.vxlanPort,
      calicoAutodetection: f.calico.autodetection.method,
      calicoBgp: f.calico.bgp.enabled,
      ciliumPools: f.cilium.config?.clusterPoolIPv4Cidrs ?? [],
      ...(f.cilium.config ? { ciliumTunnelPort: f.cilium.config.tunnelPort } : {}),
      ...(version ? { ciliumNodeConfigVersion: version } : {}),
      ...(release ? { ciliumHelmRelease: release } : {}),
      serviceCidrs: f.network.serviceCidrs,
    },
  };
}

/** The rollout's halt reason while pre-flight blocks it. */
export function preflightHaltReason(p: PreflightStatus | undefined): string | undefined {
  if (!p || p.passed) return undefined;
  const [first] = p.blockers;
  const more = p.blockers.length > 1 ? ` (and ${p.blockers.length - 1} more blocker(s), see status.preflight)` : '';
  return `pre-flight: ${first?.message ?? 'blocked'}; fix: ${first?.fix ?? ''}${more}`;
}
