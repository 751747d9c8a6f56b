/**
 * Cilium's facts: the live `cilium-config` by its own key names (which differ from the Helm names), and the
 * CiliumNodeConfig the migration relies on. Pure.
 */
import { z } from 'zod';
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE } from '../../../shared/names.js';
import type { CiliumConfigFacts, CiliumNodeConfigFacts } from './model.js';
import type { RawCrdVersions, RawObject } from './raw.js';

/** Cilium's default tunnel ports when `tunnel-port` is unset. */
export const DEFAULT_TUNNEL_PORTS: Record<string, number> = { vxlan: 8472, geneve: 6081 };

const flag = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : v.trim().toLowerCase() === 'true');
const int = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined);

/** Routing mode and tunnel protocol, reading the pre-1.14 `tunnel` key as well. */
function tunnelOf(data: Record<string, string>): { routingMode: string | undefined; tunnelProtocol: string | undefined } {
  const legacy = data['tunnel'];
  const legacyTunnel = legacy !== undefined && legacy !== 'disabled' ? legacy : undefined;
  const routingMode = data['routing-mode'] ?? (legacy === undefined ? undefined : legacyTunnel ? 'tunnel' : 'native');
  const tunnelProtocol = data['tunnel-protocol'] ?? legacyTunnel ?? (routingMode === 'tunnel' ? 'vxlan' : undefined);
  return { routingMode, tunnelProtocol };
}

export function ciliumConfigFacts(data: Record<string, string>): CiliumConfigFacts {
  const { routingMode, tunnelProtocol } = tunnelOf(data);
  const port = int(data['tunnel-port']);
  return {
    ipam: data['ipam'],
    clusterPoolIPv4Cidrs: (data['cluster-pool-ipv4-cidr'] ?? '').split(/[\s,]+/).filter(Boolean),
    clusterPoolIPv4MaskSize: int(data['cluster-pool-ipv4-mask-size']),
    routingMode,
    tunnelProtocol,
    tunnelPort: port ?? DEFAULT_TUNNEL_PORTS[tunnelProtocol ?? 'vxlan'] ?? 8472,
    tunnelPortSet: port !== undefined && port !== 0,
    customCniConf: flag(data['custom-cni-conf']) ?? false,
    enablePolicy: data['enable-policy'] ?? 'default',
    hostLegacyRouting: flag(data['enable-host-legacy-routing']) ?? false,
    unmanagedPodWatcherInterval: data['unmanaged-pod-watcher-interval'],
    cniExclusive: flag(data['cni-exclusive']),
    writeCniConfWhenReady: data['write-cni-conf-when-ready'],
    mtu: int(data['mtu']) || undefined,
    data: { ...data },
  };
}

const StringMap = z.record(z.string(), z.string()).catch({});
const NodeConfigSchema = z.looseObject({
  spec: z
    .looseObject({
      nodeSelector: z.looseObject({ matchLabels: StringMap.optional(), matchExpressions: z.array(z.unknown()).optional().catch(undefined) }).optional().catch(undefined),
      defaults: StringMap.optional(),
    })
    .catch({}),
});

/** `v2` when served (Cilium 1.16+), else `v2alpha1` when served, else undefined. */
export function preferredNodeConfigVersion(served: readonly string[]): string | undefined {
  return ['v2', 'v2alpha1'].find((v) => served.includes(v));
}

type NodeConfigSpec = z.infer<typeof NodeConfigSchema>['spec'];

/** Whether the selector is exactly `io.cilium.migration/cilium-default=true`, nothing more. */
function selectsMigrationLabelOnly(spec: NodeConfigSpec | undefined): boolean {
  const selector = spec?.nodeSelector;
  if (!selector || (selector.matchExpressions ?? []).length > 0) return false;
  const labels = JSON.stringify(Object.entries(selector.matchLabels ?? {}));
  return labels === JSON.stringify([[CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE]]);
}

export function nodeConfigFacts(crd: RawCrdVersions | undefined, obj: RawObject | undefined): CiliumNodeConfigFacts {
  const servedVersions = (crd?.versions ?? []).filter((v) => v.served).map((v) => v.name);
  const spec = obj ? NodeConfigSchema.parse(obj).spec : undefined;
  return {
    servedVersions,
    version: preferredNodeConfigVersion(servedVersions),
    exists: obj !== undefined,
    matchLabels: spec?.nodeSelector?.matchLabels,
    selectsMigrationLabel: selectsMigrationLabelOnly(spec),
    defaults: spec?.defaults ?? {},
  };
}
