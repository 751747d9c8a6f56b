/**
 * Cilium's promotion from secondary to primary CNI, as `cilium-config` shows it, and what the operator (or,
 * for Cilium not managed by Helm, the coordinator) must change to get there. Pure.
 */

/** The cilium-config keys Helm writes for the promotion values (cni.customConf=false, …). */
export const PROMOTED_CONFIG: Readonly<Record<string, string>> = {
  'custom-cni-conf': 'false',
  'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist',
  'cni-exclusive': 'true',
  'enable-policy': 'default',
  'enable-host-legacy-routing': 'false',
  'unmanaged-pod-watcher-interval': '15',
};

/** The Helm values of the promotion, as `--set` pairs. */
export const PROMOTION_VALUES: readonly string[] = [
  'cni.customConf=false',
  'policyEnforcementMode=default',
  'bpf.hostLegacyRouting=false',
  'operator.unmanagedPodWatcher.restart=true',
];

/** What still says "secondary" in cilium-config; empty once promoted. */
export function promotionMissing(data: Readonly<Record<string, string>> | undefined): string[] {
  if (!data) return ['cilium-config not found'];
  const missing: string[] = [];
  if (data['custom-cni-conf'] !== 'false') missing.push(`custom-cni-conf is ${data['custom-cni-conf'] ?? 'unset'} (want false)`);
  if (data['write-cni-conf-when-ready'] === undefined) missing.push('write-cni-conf-when-ready is unset');
  if (data['enable-policy'] === undefined || data['enable-policy'] === 'never') {
    missing.push(`enable-policy is ${data['enable-policy'] ?? 'unset'} (want default)`);
  }
  if (data['unmanaged-pod-watcher-interval'] === '0') missing.push('unmanaged-pod-watcher-interval is 0 (want 15)');
  return missing;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  /** The chart version running now (so the upgrade changes values only). */
  chartVersion: string | undefined;
}

/** The exact command an operator runs for a Helm-managed Cilium. */
export function helmUpgradeCommand(r: HelmRelease): string {
  const version = r.chartVersion ? ` --version ${r.chartVersion}` : '';
  const sets = PROMOTION_VALUES.map((v) => ` --set ${v}`).join('');
  return `helm upgrade ${r.name} cilium/cilium --namespace ${r.namespace}${version} --reuse-values${sets}`;
}

/** The chart version from an image reference such as quay.io/cilium/cilium:v1.15.6@sha256:…. */
export function chartVersionOfImage(image: string | undefined): string | undefined {
  const tag = /:v?(\d+\.\d+\.\d+[^@]*)(@|$)/.exec(image?.split('/').at(-1) ?? '');
  return tag?.[1];
}

export interface GateInput {
  missing: readonly string[];
  helm: HelmRelease | undefined;
  /** spec.stages.patchCiliumConfig: the coordinator may merge-patch cilium-config itself. */
  mayPatch: boolean;
}

/** What the promotion gate says while it waits. */
export function gateMessage(i: GateInput): string {
  const why = `waiting for Cilium's promotion in cilium-config (${i.missing.join('; ')})`;
  if (i.helm) return `${why}: run \`${helmUpgradeCommand(i.helm)}\``;
  if (i.mayPatch) return `${why}: patching kube-system/cilium-config`;
  return `${why}: Cilium is not managed by Helm; set the promotion keys in kube-system/cilium-config (${Object.entries(
    PROMOTED_CONFIG,
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}), or set spec.stages.patchCiliumConfig=true to let cni-migrate patch it`;
}
