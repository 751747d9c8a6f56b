/**
 * The part of Cilium's Helm chart the simulation plays: its default values, and how values become the keys of
 * the `cilium-config` ConfigMap (names as the chart's template writes them), and the release record Helm keeps
 * in a `sh.helm.release.v1.<name>.v<revision>` Secret (JSON, gzip, base64; the API adds one more base64).
 */
import type { V1Secret } from '@kubernetes/client-node';
import { gzipSync } from 'node:zlib';
import { CILIUM_NAMESPACE } from '../../../shared/names.js';

export const CHART_VERSION = '1.15.6';

type Values = Record<string, unknown>;

/** The chart defaults the simulation renders (a subset of the chart's values.yaml, same names and defaults). */
export const chartDefaults = (): Values => ({
  routingMode: '',
  tunnelProtocol: '',
  tunnelPort: 0,
  MTU: 0,
  cni: { customConf: false, exclusive: true, uninstall: false, chainingMode: null },
  ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.0.0.0/8'], clusterPoolIPv4MaskSize: 24 } },
  policyEnforcementMode: 'default',
  bpf: { hostLegacyRouting: false },
  operator: { unmanagedPodWatcher: { restart: true, intervalSeconds: 15 } },
});

const isObject = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's coalescing: user values over defaults, maps merged key by key, anything else replaced. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeValues(b, v) : v;
  }
  return out;
}

const at = (v: Values, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), v);
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

/** The ConfigMap keys the chart renders from the (merged) values. */
export function renderCiliumConfig(v: Values): Record<string, string> {
  const customConf = at(v, 'cni.customConf') === true;
  const restart = at(v, 'operator.unmanagedPodWatcher.restart') === true;
  const data: Record<string, string> = {
    ipam: str(at(v, 'ipam.mode')),
    'cluster-pool-ipv4-cidr': ((at(v, 'ipam.operator.clusterPoolIPv4PodCIDRList') as unknown[] | undefined) ?? []).map(str).join(' '),
    'cluster-pool-ipv4-mask-size': str(at(v, 'ipam.operator.clusterPoolIPv4MaskSize')),
    'routing-mode': str(at(v, 'routingMode')) || 'tunnel',
    'tunnel-protocol': str(at(v, 'tunnelProtocol')) || 'vxlan',
    'enable-policy': str(at(v, 'policyEnforcementMode')),
    'enable-host-legacy-routing': String(at(v, 'bpf.hostLegacyRouting') === true),
    'custom-cni-conf': String(customConf),
    'unmanaged-pod-watcher-interval': restart ? str(at(v, 'operator.unmanagedPodWatcher.intervalSeconds')) : '0',
  };
  const port = Number(at(v, 'tunnelPort') ?? 0);
  if (port > 0) data['tunnel-port'] = String(port);
  const mtu = Number(at(v, 'MTU') ?? 0);
  if (mtu > 0) data['mtu'] = String(mtu);
  if (!customConf) {
    data['cni-exclusive'] = String(at(v, 'cni.exclusive') !== false);
    data['write-cni-conf-when-ready'] = '/host/etc/cni/net.d/05-cilium.conflist';
  }
  return data;
}

/** Helm's record of revision `revision` of release `name`, installed with the user's `config`. */
export function helmReleaseSecret(name: string, revision: number, config: Values, status = 'deployed'): V1Secret {
  const release = {
    name,
    namespace: CILIUM_NAMESPACE,
    version: revision,
    info: { status, description: revision === 1 ? 'Install complete' : 'Upgrade complete' },
    chart: { metadata: { name: 'cilium', version: CHART_VERSION, appVersion: CHART_VERSION }, values: chartDefaults() },
    config,
    manifest: '',
  };
  const helmBase64 = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${name}.v${revision}`,
      namespace: CILIUM_NAMESPACE,
      labels: { owner: 'helm', name, status, version: String(revision) },
    },
    // client-node sends `data` as is: the API's own base64 layer over Helm's.
    data: { release: Buffer.from(helmBase64).toString('base64') },
  };
}
